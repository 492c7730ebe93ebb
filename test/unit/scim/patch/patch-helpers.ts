/** Shared fixtures for the PATCH applier tests: apply operations written as JSON to a deep-frozen resource. */
import { expect } from 'vitest';
import { ENTERPRISE_USER_SCHEMA, GROUP_RESOURCE_TYPE, PATCH_OP_SCHEMA, USER_RESOURCE_TYPE } from '../../../../src/scim/schema/definitions.js';
import type { ResourceTypeDef, ScimObject } from '../../../../src/scim/schema/types.js';
import { applyPatch } from '../../../../src/scim/patch/apply.js';
import { parsePatchRequest } from '../../../../src/scim/patch/request.js';
import { deepFreeze } from '../../scim-error.js';

export const ENT = ENTERPRISE_USER_SCHEMA;

export const BASE_USER: ScimObject = {
  userName: 'bjensen',
  displayName: 'Babs',
  title: 'Tour Guide',
  name: { givenName: 'Barbara', familyName: 'Jensen' },
  emails: [
    { value: 'b@work.example', type: 'work', primary: true },
    { value: 'b@home.example', type: 'home' },
  ],
  [ENT]: { department: 'Sales', manager: { value: 'boss' } },
};

export const BASE_GROUP: ScimObject = {
  displayName: 'Tour Guides',
  members: [{ value: 'u1' }, { value: 'u2', type: 'User' }],
};

/** Apply `ops` (as a client writes them) to a frozen copy of `resource`, and check the input is unchanged. */
export function patchOn(rt: ResourceTypeDef, resource: ScimObject, ...ops: unknown[]): ScimObject {
  const before = structuredClone(resource);
  const input = deepFreeze(structuredClone(resource));
  try {
    return applyPatch(rt, input, parsePatchRequest({ schemas: [PATCH_OP_SCHEMA], Operations: ops }, 1000));
  } finally {
    expect(input).toEqual(before);
  }
}

export const patchUser = (...ops: unknown[]): ScimObject => patchOn(USER_RESOURCE_TYPE, BASE_USER, ...ops);
export const patchGroup = (...ops: unknown[]): ScimObject => patchOn(GROUP_RESOURCE_TYPE, BASE_GROUP, ...ops);

/** BASE_USER with some top-level attributes replaced (undefined removes one). */
export function userWith(changes: Record<string, unknown>): ScimObject {
  const out: Record<string, unknown> = { ...BASE_USER, ...changes };
  for (const [k, v] of Object.entries(changes)) if (v === undefined) delete out[k];
  return out as ScimObject;
}
