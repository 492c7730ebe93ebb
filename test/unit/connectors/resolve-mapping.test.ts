import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineConnector, resolveMapping, type ConnectorDefinition, type MappingConfig } from '../../../connectors/types.js';

const BASE: MappingConfig = { user: { userName: 'uid', title: 'title' }, group: { displayName: 'cn' } };
const def = (extra: Partial<ConnectorDefinition> = {}): ConnectorDefinition =>
  defineConnector({ type: 'x', configSchema: z.object({ flavor: z.string().default('a') }), defaultMapping: BASE, create: () => { throw new Error('unused'); }, ...extra });

describe('resolveMapping', () => {
  it('uses the default where the YAML has no section', () => {
    expect(resolveMapping(def(), {}, undefined)).toEqual(BASE);
    expect(resolveMapping(def(), {}, { user: { userName: 'login' } }).group).toEqual(BASE.group);
  });

  it('replaces a section as written by default', () => {
    expect(resolveMapping(def(), {}, { user: { userName: 'login' } }).user).toEqual({ userName: 'login' });
  });

  it('merges per attribute in merge mode, and null removes a default attribute', () => {
    const m = resolveMapping(def({ mappingMode: 'merge' }), {}, { user: { userName: 'login', title: null, 'name.givenName': 'gn' } });
    expect(m.user).toEqual({ userName: 'login', 'name.givenName': 'gn' });
  });

  it('asks a default-mapping function for the options given (directory profiles)', () => {
    const byFlavor = def({ defaultMapping: (o: unknown) => ({ user: { userName: (o as { flavor: string }).flavor }, group: {} }) });
    expect(resolveMapping(byFlavor, { flavor: 'sAMAccountName' }, undefined).user).toEqual({ userName: 'sAMAccountName' });
  });

  it("never hands out the registry's own objects", () => {
    const m = resolveMapping(def(), {}, undefined);
    expect(m.user).not.toBe(BASE.user);
  });
});
