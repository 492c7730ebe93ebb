/**
 * PATCH semantics through HTTP (RFC 7644 §3.5.2) on /Users, including the dialects Entra ID sends, the
 * atomicity of a PatchOp, and prototype-pollution vectors (failure mode 5 of the reliability notes). The
 * gateway runs in this process, so pollution of Object.prototype would be visible here.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { asStoredAttr, itStores, stores } from '../support/backend.js';
import { startTestGateway, type TestGateway } from '../support/build-app.js';
import { createUser, ENTERPRISE, expectScimError, scimClient, uniq, USER_SCHEMA, type PatchOperationBody, type ScimClient } from '../support/scim-client.js';

let gw: TestGateway;
let api: ScimClient;
const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

beforeAll(async () => {
  gw = await startTestGateway();
  api = scimClient(gw.server);
});
afterAll(async () => gw.close());

/** A user with a bit of everything; returns the created resource. */
async function fresh(extra: Record<string, unknown> = {}): Promise<Record<string, any>> {
  return createUser(api, {
    userName: uniq('patch'),
    displayName: 'Patch Me',
    title: 'Original',
    active: true,
    name: { givenName: 'Given', familyName: 'Family', formatted: 'Given Family' },
    emails: [
      { type: 'work', value: 'work@example.com', primary: true },
      { type: 'home', value: 'home@example.com' },
    ],
    [ENTERPRISE]: { employeeNumber: '100', department: 'Ops' },
    ...extra,
  });
}

async function patchOk(id: string, ops: readonly PatchOperationBody[]): Promise<Record<string, any>> {
  const res = await api.patchOps(`/Users/${id}`, ops);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const again = await api.get(`/Users/${id}`);
  expect(again.body).toEqual(res.body);
  return res.body as Record<string, any>;
}

const emailsByType = (r: Record<string, any>): Record<string, string> =>
  Object.fromEntries(((r['emails'] ?? []) as { type: string; value: string }[]).map((e) => [e.type, e.value]));

/** `byType` without the email types the backend does not store (the LDAP profile stores only work). */
const storedEmails = (byType: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(byType).filter(([type]) => stores(`emails[type eq "${type}"].value`)));

describe('operations and values', () => {
  itStores('userType', 'accepts op names in any case: Add, REPLACE, Remove, add', async () => {
    const u = await fresh();
    expect((await patchOk(u['id'], [{ op: 'Add', path: 'userType', value: 'n1' }]))['userType']).toBe('n1');
    expect((await patchOk(u['id'], [{ op: 'REPLACE', path: 'userType', value: 'n2' }]))['userType']).toBe('n2');
    expect((await patchOk(u['id'], [{ op: 'Remove', path: 'userType' }]))['userType']).toBeUndefined();
    expect((await patchOk(u['id'], [{ op: 'add', path: 'USERTYPE', value: 'n3' }]))['userType']).toBe('n3');
  });

  it('answers 400 invalidSyntax to an unknown op', async () => {
    const u = await fresh();
    expectScimError(await api.patchOps(`/Users/${u['id']}`, [{ op: 'move', path: 'title', value: 'x' }]), 400, 'invalidSyntax');
  });

  it('coerces the string booleans "True" and "False" in path and no-path operations', async () => {
    const u = await fresh();
    expect((await patchOk(u['id'], [{ op: 'Replace', path: 'active', value: 'False' }]))['active']).toBe(false);
    expect((await patchOk(u['id'], [{ op: 'Replace', path: 'active', value: 'True' }]))['active']).toBe(true);
    expect((await patchOk(u['id'], [{ op: 'replace', value: { active: 'false' } }]))['active']).toBe(false);
    expectScimError(await api.patchOps(`/Users/${u['id']}`, [{ op: 'replace', path: 'active', value: 'maybe' }]), 400, 'invalidValue');
  });

  itStores('title', 'treats add on a single-valued attribute as replace', async () => {
    const u = await fresh();
    expect((await patchOk(u['id'], [{ op: 'add', path: 'title', value: 'Added' }]))['title']).toBe('Added');
  });
});

describe('value paths', () => {
  itStores('emails[type eq "work"].value', 'replaces emails[type eq "work"].value in place and leaves other emails alone', async () => {
    const u = await fresh();
    const r = await patchOk(u['id'], [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'new-work@example.com' }]);
    const expected = storedEmails({ work: 'new-work@example.com', home: 'home@example.com' });
    expect(emailsByType(r)).toEqual(expected);
    expect((r['emails'] as unknown[]).length).toBe(Object.keys(expected).length);
    if (stores('emails[type eq "work"].primary')) expect((r['emails'] as { type: string; primary?: boolean }[]).find((e) => e.type === 'work')?.primary).toBe(true);
  });

  it('adds to an existing typed element without duplicating it', async () => {
    const u = await fresh();
    const r = await patchOk(u['id'], [{ op: 'Add', path: 'emails[type eq "work"].value', value: 'added@example.com' }]);
    expect(emailsByType(r)).toEqual(storedEmails({ work: 'added@example.com', home: 'home@example.com' }));
  });

  itStores(['phoneNumbers[type eq "mobile"].value', 'addresses[type eq "work"].locality', 'addresses[type eq "work"].postalCode'], 'creates the element when no element matches: emails, phoneNumbers and addresses', async () => {
    const u = await fresh({ emails: [{ type: 'home', value: 'only-home@example.com' }] });
    const r = await patchOk(u['id'], [
      { op: 'Add', path: 'emails[type eq "work"].value', value: 'created@example.com' },
      { op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555 0199' },
      { op: 'Replace', path: 'addresses[type eq "work"].locality', value: 'Lyon' },
    ]);
    expect(emailsByType(r)).toEqual(storedEmails({ work: 'created@example.com', home: 'only-home@example.com' }));
    expect(r['phoneNumbers']).toEqual([{ type: 'mobile', value: '+1 555 0199' }]);
    expect(r['addresses']).toEqual([{ type: 'work', locality: 'Lyon' }]);
    const r2 = await patchOk(u['id'], [{ op: 'replace', path: 'addresses[type eq "work"].postalCode', value: '69001' }]);
    expect(r2['addresses']).toEqual([{ type: 'work', locality: 'Lyon', postalCode: '69001' }]);
  });

  itStores('phoneNumbers[type eq "work"].value', 'removes one sub-attribute and one whole element through value paths', async () => {
    const u = await fresh({ phoneNumbers: [{ type: 'work', value: '+1 555 0100' }, { type: 'mobile', value: '+1 555 0101' }] });
    const r = await patchOk(u['id'], [
      { op: 'remove', path: 'emails[type eq "home"]' },
      { op: 'remove', path: 'phoneNumbers[type eq "mobile"].value' },
    ]);
    expect(emailsByType(r)).toEqual({ work: 'work@example.com' });
    expect(r['phoneNumbers']).toEqual([{ type: 'work', value: '+1 555 0100' }]);
  });

  itStores('emails[type eq "work"].value', 'removes only the listed elements of a multi-valued attribute with remove + value', async () => {
    const u = await fresh();
    const r = await patchOk(u['id'], [{ op: 'Remove', path: 'emails', value: [{ value: 'HOME@example.com' }] }]);
    expect(emailsByType(r)).toEqual({ work: 'work@example.com' });
  });

  it('answers 400 noTarget when a value filter matches nothing and cannot create an element', async () => {
    const u = await fresh();
    const res = await api.patchOps(`/Users/${u['id']}`, [{ op: 'replace', path: 'emails[value co "nobody"].display', value: 'x' }]);
    expectScimError(res, 400, 'noTarget');
  });
});

describe('operations without a path', () => {
  itStores(['name.givenName', 'name.familyName', 'name.formatted', 'displayName'], 'sets sub-attributes from dotted keys and keeps the other sub-attributes', async () => {
    const u = await fresh();
    const r = await patchOk(u['id'], [{ op: 'replace', value: { 'name.givenName': 'NewGiven', 'name.familyName': 'NewFamily', displayName: 'Renamed' } }]);
    expect(r['name']).toEqual({ givenName: 'NewGiven', familyName: 'NewFamily', formatted: 'Given Family' });
    expect(r['displayName']).toBe('Renamed');
  });

  itStores([`${ENTERPRISE}:employeeNumber`, `${ENTERPRISE}:department`], 'sets URN-qualified extension attributes and keeps the others', async () => {
    const u = await fresh();
    const r = await patchOk(u['id'], [{ op: 'Add', value: { [`${ENTERPRISE}:employeeNumber`]: '200', 'emails[type eq "work"].value': 'urn-op@example.com' } }]);
    expect(r[ENTERPRISE]).toEqual({ employeeNumber: '200', department: 'Ops' });
    expect(emailsByType(r)['work']).toBe('urn-op@example.com');
  });

  itStores(`${ENTERPRISE}:department`, 'merges a whole extension object keyed by its URN', async () => {
    const u = await fresh();
    const r = await patchOk(u['id'], [{ op: 'replace', value: { [ENTERPRISE]: { department: 'Finance', costCenter: 'CC-9' } } }]);
    expect(r[ENTERPRISE]).toEqual(asStoredAttr(ENTERPRISE, { employeeNumber: '100', department: 'Finance', costCenter: 'CC-9' }));
    expect(r['schemas']).toEqual([USER_SCHEMA, ENTERPRISE]);
  });
});

describe('enterprise manager', () => {
  itStores([`${ENTERPRISE}:manager`, `${ENTERPRISE}:employeeNumber`, `${ENTERPRISE}:department`], 'accepts the manager as {value}, as a plain id string, and as Entra\'s one-element array', async () => {
    const boss1 = await fresh();
    const boss2 = await fresh();
    const boss3 = await fresh();
    const u = await fresh();
    const path = `${ENTERPRISE}:manager`;
    expect((await patchOk(u['id'], [{ op: 'add', path, value: { value: boss1['id'] } }]))[ENTERPRISE].manager).toEqual({ value: boss1['id'] });
    expect((await patchOk(u['id'], [{ op: 'replace', path, value: boss2['id'] }]))[ENTERPRISE].manager).toEqual({ value: boss2['id'] });
    expect((await patchOk(u['id'], [{ op: 'Add', path: 'manager', value: [{ $ref: null, value: boss3['id'] }] }]))[ENTERPRISE].manager).toEqual({ value: boss3['id'] });
    const r = await patchOk(u['id'], [{ op: 'remove', path }]);
    expect(r[ENTERPRISE]).toEqual({ employeeNumber: '100', department: 'Ops' });
  });

  itStores(`${ENTERPRISE}:manager`, 'finds users by manager after the PATCH', async () => {
    const boss = await fresh();
    const u = await fresh();
    await patchOk(u['id'], [{ op: 'add', path: `${ENTERPRISE}:manager`, value: boss['id'] }]);
    const res = await api.list('/Users', { filter: `${ENTERPRISE}:manager.value eq "${boss['id']}"` });
    expect(res.body.Resources.map((x: { id: string }) => x.id)).toEqual([u['id']]);
  });
});

describe('rejected operations', () => {
  it('answers 400 noTarget to remove without a path', async () => {
    const u = await fresh();
    expectScimError(await api.patchOps(`/Users/${u['id']}`, [{ op: 'remove' }]), 400, 'noTarget');
    expectScimError(await api.patchOps(`/Users/${u['id']}`, [{ op: 'remove', value: { title: 'Original' } }]), 400, 'noTarget');
  });

  it('answers 400 to removing or emptying the required userName', async () => {
    const u = await fresh();
    expectScimError(await api.patchOps(`/Users/${u['id']}`, [{ op: 'remove', path: 'userName' }]), 400);
    expectScimError(await api.patchOps(`/Users/${u['id']}`, [{ op: 'replace', path: 'userName', value: '' }]), 400);
    expect((await api.get(`/Users/${u['id']}`)).body.userName).toBe(u['userName']);
  });

  it('answers 400 mutability to changing id, meta or groups', async () => {
    const u = await fresh();
    const vectors: PatchOperationBody[] = [
      { op: 'replace', path: 'id', value: 'new-id' },
      { op: 'replace', path: 'meta', value: { created: '2000-01-01T00:00:00Z' } },
      { op: 'replace', path: 'meta.lastModified', value: '2000-01-01T00:00:00Z' },
      { op: 'add', path: 'groups', value: [{ value: 'g' }] },
      { op: 'replace', value: { id: 'new-id' } },
    ];
    for (const op of vectors) {
      const res = await api.patchOps(`/Users/${u['id']}`, [op]);
      expect(res.status, JSON.stringify(op)).toBe(400);
      expectScimError(res, 400, 'mutability');
    }
    expect((await api.get(`/Users/${u['id']}`)).body.id).toBe(u['id']);
  });

  it('answers 400 invalidPath to a path that names no attribute', async () => {
    const u = await fresh();
    for (const path of ['favouriteColour', 'name.nickname', 'emails[type eq "work"].colour', 'urn:example:params:scim:schemas:extension:acme:2.0:User:badge']) {
      const res = await api.patchOps(`/Users/${u['id']}`, [{ op: 'add', path, value: 'x' }]);
      expect(res.status, path).toBe(400);
      expectScimError(res, 400, 'invalidPath');
    }
  });

  it('answers 400 to a body without Operations or with a wrong schema', async () => {
    const u = await fresh();
    expectScimError(await api.patch(`/Users/${u['id']}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'] }), 400, 'invalidSyntax');
    expectScimError(await api.patch(`/Users/${u['id']}`, { schemas: [USER_SCHEMA], Operations: [] }), 400, 'invalidSyntax');
  });
});

describe('atomicity and order', () => {
  itStores('displayName', 'applies nothing when a later operation fails', async () => {
    const u = await fresh();
    const before = await api.get(`/Users/${u['id']}`);
    for (const bad of [
      { op: 'replace', path: 'active', value: 'maybe' },
      { op: 'replace', path: 'noSuchAttribute', value: 'x' },
      { op: 'remove', path: 'userName' },
    ]) {
      const res = await api.patchOps(`/Users/${u['id']}`, [{ op: 'replace', path: 'displayName', value: 'Should Not Stick' }, { op: 'add', path: 'userType', value: 'nope' }, bad]);
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    const after = await api.get(`/Users/${u['id']}`);
    expect(after.body).toEqual(before.body);
    expect(after.body.displayName).toBe('Patch Me');
    expect(after.headers['etag']).toBe(before.headers['etag']);
  });

  itStores('title', 'applies operations in order: replace then remove, remove then add', async () => {
    const u = await fresh();
    expect((await patchOk(u['id'], [{ op: 'replace', path: 'title', value: 'T1' }, { op: 'remove', path: 'title' }]))['title']).toBeUndefined();
    expect((await patchOk(u['id'], [{ op: 'remove', path: 'title' }, { op: 'add', path: 'title', value: 'T2' }]))['title']).toBe('T2');
    expect((await patchOk(u['id'], [{ op: 'replace', path: 'title', value: 'T3' }, { op: 'replace', path: 'title', value: 'T4' }]))['title']).toBe('T4');
  });

  it('answers 200 with the unchanged resource and ETag to an empty Operations array', async () => {
    const u = await fresh();
    const before = await api.get(`/Users/${u['id']}`);
    const res = await api.patchOps(`/Users/${u['id']}`, []);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(before.body);
    expect(res.headers['etag']).toBe(before.headers['etag']);
  });

  itStores('title', 'answers 400 to more operations than the limit and applies none', async () => {
    const u = await fresh();
    const ops = Array.from({ length: 1001 }, (_, i) => ({ op: 'replace', path: 'title', value: `T${i}` }));
    const res = await api.patchOps(`/Users/${u['id']}`, ops);
    expectScimError(res, 400);
    expect(res.body.detail).toContain('1000');
    expect((await api.get(`/Users/${u['id']}`)).body.title).toBe('Original');
    const atLimit = await api.patchOps(`/Users/${u['id']}`, ops.slice(0, 1000));
    expect(atLimit.status).toBe(200);
    expect(atLimit.body.title).toBe('T999');
  });
});

describe('prototype pollution', () => {
  afterEach(() => {
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
    expect((Object.prototype.toString as unknown as Record<string, unknown>)['x']).toBeUndefined();
  });

  it('rejects hostile paths with 400 invalidPath and changes nothing', async () => {
    const u = await fresh();
    const before = await api.get(`/Users/${u['id']}`);
    const paths = ['__proto__', '__proto__.polluted', 'constructor', 'constructor.prototype.polluted', 'toString.x', 'name.__proto__', 'name.constructor', 'emails[type eq "work"].__proto__', `${ENTERPRISE}:__proto__`, 'hasOwnProperty'];
    for (const path of paths) {
      for (const op of ['add', 'replace']) {
        const res = await api.patchOps(`/Users/${u['id']}`, [{ op, path, value: { polluted: 'yes' } }]);
        expect(res.status, `${op} ${path}`).toBe(400);
        expect(['invalidPath', 'invalidSyntax']).toContain(res.body.scimType);
      }
      expect((await api.patchOps(`/Users/${u['id']}`, [{ op: 'remove', path }])).status, `remove ${path}`).toBe(400);
    }
    expect((await api.get(`/Users/${u['id']}`)).body).toEqual(before.body);
  });

  it('rejects no-path values whose keys are __proto__ or constructor (sent as raw JSON)', async () => {
    const u = await fresh();
    const bodies = [
      '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","value":{"__proto__":{"polluted":"yes"}}}]}',
      '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"constructor":{"prototype":{"polluted":"yes"}}}}]}',
      '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","value":{"name.__proto__":{"polluted":"yes"}}}]}',
      '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"name","value":{"__proto__":{"polluted":"yes"}}}]}',
      `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","value":{"${ENTERPRISE}":{"__proto__":{"polluted":"yes"}}}}]}`,
      '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"emails","value":[{"type":"work","__proto__":{"polluted":"yes"}}]}]}',
      '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"__proto__":{"polluted":"yes"},"Operations":[{"op":"add","__proto__":{"polluted":"yes"},"path":"title","value":"ok"}]}',
    ];
    for (const text of bodies.slice(0, 6)) {
      const res = await api.raw('patch', `/Users/${u['id']}`, text);
      expect(res.status, text).toBe(400);
      expect(['invalidPath', 'invalidSyntax']).toContain(res.body.scimType);
    }
    // Unknown keys on the PatchOp and the operation themselves are ignored, not copied anywhere.
    const last = await api.raw('patch', `/Users/${u['id']}`, String(bodies[6]));
    expect(last.status).toBe(200);
    expect(last.body.title).toBe(asStoredAttr('title', 'ok'));
    expect(JSON.stringify(last.body)).not.toContain('polluted');
  });

  it('does not pollute through POST or PUT bodies with __proto__ keys', async () => {
    const u = await fresh();
    const name = uniq('proto');
    const bodies = [
      `{"schemas":["${USER_SCHEMA}"],"userName":"${name}-1","__proto__":{"polluted":"yes"}}`,
      `{"schemas":["${USER_SCHEMA}"],"userName":"${name}-2","name":{"__proto__":{"polluted":"yes"}}}`,
      `{"schemas":["${USER_SCHEMA}"],"userName":"${name}-3","emails":[{"type":"work","value":"a@b.c","__proto__":{"polluted":"yes"}}]}`,
      `{"schemas":["${USER_SCHEMA}"],"userName":"${name}-4","${ENTERPRISE}":{"__proto__":{"polluted":"yes"}}}`,
      `{"schemas":["${USER_SCHEMA}"],"userName":"${name}-5","constructor":{"prototype":{"polluted":"yes"}}}`,
    ];
    for (const text of bodies) {
      for (const [method, path] of [
        ['post', '/Users'],
        ['put', `/Users/${u['id']}`],
      ] as const) {
        const res = await api.raw(method, path, text);
        expect(res.status, `${method} ${text}`).toBe(400);
        expect(JSON.stringify(res.body)).not.toContain('"polluted"');
      }
    }
    const list = await api.list('/Users', { filter: `userName sw "${name}"` });
    expect(list.body.totalResults).toBe(0);
    expect((await api.get(`/Users/${u['id']}`)).body.userName).toBe(u['userName']);
  });
});
