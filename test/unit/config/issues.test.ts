import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { closest, didYouMean, editDistance } from '../../../src/config/did-you-mean.js';
import { connectorFileSchema, ConfigError, configIssue, formatIssue, formatPath, gatewayFileSchema, parsePath } from '../../../src/config/index.js';
import { knownKeysAt } from '../../../src/config/zod-issues.js';

describe('YAML paths', () => {
  const cases: [readonly (string | number)[], string][] = [
    [['endpoints', 0, 'tokens', 1], 'endpoints[0].tokens[1]'],
    [['options', 'bindPassword'], 'options.bindPassword'],
    [['mapping', 'user', 'emails[type eq "work"].value'], 'mapping.user["emails[type eq \\"work\\"].value"]'],
    [['mapping', 'user', 'name.givenName'], 'mapping.user["name.givenName"]'],
    [[0, 'a'], '[0].a'],
    [[], ''],
  ];

  it.each(cases)('formats %j as %s and parses it back', (segments, text) => {
    expect(formatPath(segments)).toBe(text);
    expect(parsePath(text)).toEqual(segments);
  });

  it('refuses strings formatPath cannot produce', () => {
    for (const bad of ['.a', 'a..b', 'a[x]', 'a["x"', 'a b']) expect(parsePath(bad)).toBeUndefined();
  });
});

describe('issues', () => {
  it('formats as file:line:col: path: message, leaving out unknown parts', () => {
    expect(formatIssue({ file: 'g.yaml', path: 'server.port', line: 3, column: 9, message: 'bad' })).toBe('g.yaml:3:9: server.port: bad');
    expect(formatIssue({ file: 'g.yaml', path: '', line: 3, column: 1, message: 'syntax' })).toBe('g.yaml:3:1: syntax');
    expect(formatIssue(configIssue(['mapping', 'user'], 'x'))).toBe('mapping.user: x');
  });

  it('ConfigError lists one issue per line', () => {
    const err = new ConfigError([configIssue('a', 'one', 'f.yaml'), configIssue('b', 'two', 'f.yaml')]);
    expect(err.message).toBe('f.yaml: a: one\nf.yaml: b: two');
    expect(err.name).toBe('ConfigError');
    expect(err.issues).toHaveLength(2);
  });
});

describe('did you mean', () => {
  it('measures edits with transpositions', () => {
    expect(editDistance('concurency', 'concurrency')).toBe(1);
    expect(editDistance('lcoal', 'local')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests only close candidates', () => {
    expect(closest('prot', ['host', 'port', 'tls'])).toBe('port');
    expect(closest('Port', ['port'])).toBe('port');
    expect(closest('xyz', ['port', 'host'])).toBeUndefined();
    expect(didYouMean('jsonfile', ['json-file', 'ldap'])).toBe('; did you mean "json-file"?');
    expect(didYouMean('completely-different', ['json-file'])).toBe('');
  });
});

describe('knownKeysAt', () => {
  it('walks through defaults, prefaults, arrays, unions and pipes', () => {
    expect(knownKeysAt(gatewayFileSchema, ['server']).sort()).toEqual(['bodyLimitBytes', 'drainTimeoutMs', 'heapGovernor', 'host', 'port', 'tls']);
    expect(knownKeysAt(gatewayFileSchema, ['limits', 'filter']).sort()).toEqual(['maxClauses', 'maxDepth', 'maxLength']);
    expect(knownKeysAt(gatewayFileSchema, ['endpoints', 0, 'tokens', 2]).sort()).toEqual(['file', 'generate', 'sha256', 'value']);
    expect(knownKeysAt(connectorFileSchema, ['queue'])).toContain('concurrency');
    expect(knownKeysAt(connectorFileSchema, ['mapping']).sort()).toEqual(['group', 'user']);
  });

  it('gives nothing where it cannot tell', () => {
    expect(knownKeysAt(z.string(), ['a'])).toEqual([]);
    expect(knownKeysAt(gatewayFileSchema, ['nope', 'deeper'])).toEqual([]);
  });
});
