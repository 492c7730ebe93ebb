import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readDocument } from '../../../src/durable/document-reader.js';
import { writeSnapshot } from '../../../src/durable/snapshot-writer.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'docreader-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const noop = async (): Promise<void> => undefined;
const DOC = {
  format: 'x/1',
  meta: { nested: [1, 2, { a: 'b,"c"' }] },
  users: [{ id: '1', fields: { userName: 'a,b', 'email.work': 'x@y' } }, { id: '2', fields: { note: '  ],\n}' } }],
  groups: [],
  empty: [],
};

async function written(): Promise<string> {
  const path = join(dir, 'doc.json');
  const { users, groups, empty, ...header } = DOC;
  await writeSnapshot(path, join(dir, 'tmp'), 7, { header, sections: { users, groups, empty } }, { fsync: false, mode: 0o600, checkpoint: noop, beforeRename: noop });
  return path;
}

describe('readDocument', () => {
  it('reads the snapshot writer\'s layout record by record into the same value JSON.parse gives', async () => {
    const path = await written();
    expect(await readDocument(path)).toEqual({ ...DOC, seq: 7 });
  });

  it('reads the same document re-indented or minified by another tool', async () => {
    const path = join(dir, 'edited.json');
    await writeFile(path, JSON.stringify({ ...DOC, seq: 7 }, null, 4));
    expect(await readDocument(path)).toEqual({ ...DOC, seq: 7 });
    await writeFile(path, JSON.stringify({ ...DOC, seq: 7 }));
    expect(await readDocument(path)).toEqual({ ...DOC, seq: 7 });
  });

  it('throws SyntaxError for a document that is not JSON, as JSON.parse does', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(path, '{\n  "format": "x",\n  "users": [\n    {"id": 1}\n');
    await expect(readDocument(path)).rejects.toBeInstanceOf(SyntaxError);
  });

  it('never turns a "__proto__" key into a prototype', async () => {
    const path = join(dir, 'proto.json');
    await writeFile(path, '{\n  "__proto__": {"polluted": true},\n  "seq": 1\n}\n');
    const doc = (await readDocument(path)) as Record<string, unknown>;
    expect(Object.hasOwn(doc, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
