/**
 * Shared pieces of the Microsoft Entra ID compatibility suite (test/http/entra/*.test.ts): a client that
 * sends what Entra's provisioning service sends (Bearer token, application/scim+json), the fixtures
 * transcribed from Microsoft's documentation (test/fixtures/entra), and assertions for the shapes Entra
 * reads back (resources with meta, ListResponses, SCIM errors).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import request from 'supertest';
import type { Response } from 'supertest';
import { expect } from 'vitest';
import { asStored, fitName } from '../../support/backend.js';
import { AUTH, BASE, type TestGateway } from '../../support/build-app.js';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
/** The extra schema URN Entra lists when it creates a group (Create Group sample). */
export const ADSCIM_GROUP = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';

export type Json = Record<string, unknown>;

/** Requests as Entra's provisioning service makes them: Bearer token and application/scim+json bodies. */
export function entra(gw: Pick<TestGateway, 'server'>, base: string = BASE) {
  const agent = () => request(gw.server);
  const withBody = (req: request.Test, body: unknown) => req.set(AUTH).set('Content-Type', 'application/scim+json').send(JSON.stringify(body));
  return {
    /** `path` is relative to the Tenant URL and sent as written (supertest keeps `+` and `%22`). */
    get: (path: string) => agent().get(`${base}${path}`).set(AUTH),
    post: (path: string, body: unknown) => withBody(agent().post(`${base}${path}`), body),
    put: (path: string, body: unknown) => withBody(agent().put(`${base}${path}`), body),
    patch: (path: string, body: unknown) => withBody(agent().patch(`${base}${path}`), body),
    delete: (path: string) => agent().delete(`${base}${path}`).set(AUTH),
  };
}
export type EntraClient = ReturnType<typeof entra>;

/** Entra's Test Connection and sample users use random GUIDs. */
export const guid = (): string => randomUUID();

/** A unique userName in Entra's test-harness style (46 characters: shortened where names are shorter, fitName). */
export const testUserName = (): string => fitName('user', `Test_User_${randomUUID()}`);

export function patchOp(...operations: Json[]): Json {
  return { schemas: [PATCH_OP], Operations: operations };
}

/** A minimal user as Entra creates one (the Create User sample's shape). */
export function entraUser(overrides: Json = {}): Json {
  const userName = (overrides['userName'] as string | undefined) ?? testUserName();
  return {
    schemas: [USER_SCHEMA, ENTERPRISE],
    externalId: guid(),
    userName,
    active: true,
    emails: [{ primary: true, type: 'work', value: `${userName}@testuser.com` }],
    meta: { resourceType: 'User' },
    name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
    roles: [],
    ...overrides,
  };
}

export function entraGroup(overrides: Json = {}): Json {
  return {
    schemas: [GROUP_SCHEMA, ADSCIM_GROUP],
    externalId: guid(),
    // FortiOS keeps group names to 35 characters: there the guid is shortened (fitName).
    displayName: fitName('group', `Group_${randomUUID()}`),
    meta: { resourceType: 'Group' },
    ...overrides,
  };
}

export async function createUser(c: EntraClient, overrides: Json = {}): Promise<Json> {
  const res = await c.post('/Users', entraUser(overrides));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as Json;
}

export async function createGroup(c: EntraClient, overrides: Json = {}): Promise<Json> {
  const res = await c.post('/Groups', entraGroup(overrides));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as Json;
}

// ---- fixtures transcribed from Microsoft's documentation (see test/fixtures/entra/README.md) ----

export interface DocExample {
  readonly _source: { readonly url: string; readonly file: string; readonly section: string };
  readonly request: { readonly method: string; readonly path: string; readonly body?: Json };
  readonly response?: { readonly status: number; readonly body?: Json };
}

export interface DocDialects {
  readonly _source: DocExample['_source'];
  readonly default: { readonly body: Json };
  readonly aadOptscim062020: { readonly body: Json };
}

function readFixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../../fixtures/entra/${name}.json`, import.meta.url), 'utf8'));
}

export const docExample = (name: string): DocExample => readFixture(name) as DocExample;
export const docDialects = (name: string): DocDialects => readFixture(name) as DocDialects;

/** A deep copy with every occurrence of the doc's placeholder strings replaced by ours. */
export function substitute<T>(value: T, replacements: Readonly<Record<string, string>>): T {
  let text = JSON.stringify(value);
  for (const [from, to] of Object.entries(replacements)) text = text.split(from).join(to);
  return JSON.parse(text) as T;
}

// ---- assertions ----

/** Every answer Entra reads is application/scim+json. */
export function expectScimJson(res: Response): void {
  expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
}

/**
 * The meta block Entra's samples show, as our gateway writes it. Differences from the doc, on purpose:
 * `location` is an absolute URL (RFC 7643 §3.1; the doc's Disable User sample has a relative one) and
 * `version` is a weak ETag of the store's revision counter, `W/"<n>"` (the doc's schema sample shows a hash).
 */
export function expectMeta(resource: Json, resourceType: 'User' | 'Group'): void {
  const id = resource['id'];
  expect(typeof id === 'string' && id.length > 0, 'non-empty id').toBe(true);
  const meta = resource['meta'] as Json | undefined;
  expect(meta).toBeDefined();
  expect(meta?.['resourceType']).toBe(resourceType);
  const endpoint = resourceType === 'User' ? 'Users' : 'Groups';
  expect(meta?.['location']).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/scim/v2/${endpoint}/${String(id)}$`));
  for (const k of ['created', 'lastModified'] as const) {
    expect(typeof meta?.[k]).toBe('string');
    expect(Number.isNaN(Date.parse(String(meta?.[k]))), `meta.${k} is a date`).toBe(false);
  }
  expect(meta?.['version']).toMatch(/^W\/".+"$/);
}

/**
 * Our resource carries every attribute value the documented resource shows. `id` and `meta` are checked
 * by shape only (ids are placeholders in the doc; we answer UUIDs), everything else must match the doc
 * (objects as subsets, arrays element by element), except what the backend does not store (asStored: nothing
 * on json-file; on LDAP e.g. the work email's `primary` and a group's externalId).
 */
export function expectDocumentedResource(actual: Json, documented: Json, resourceType: 'User' | 'Group'): void {
  const { id: _id, meta: _meta, ...values } = documented;
  expect(actual).toMatchObject(asStored(values, resourceType === 'User' ? 'user' : 'group'));
  expect(actual['id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  expectMeta(actual, resourceType);
}

/** A ListResponse with the four members Entra reads. */
export function expectListResponse(body: Json, totalResults: number): Json[] {
  expect(body['schemas']).toEqual([LIST_RESPONSE]);
  expect(body['totalResults']).toBe(totalResults);
  expect(typeof body['startIndex']).toBe('number');
  expect(typeof body['itemsPerPage']).toBe('number');
  expect(Array.isArray(body['Resources'])).toBe(true);
  return body['Resources'] as Json[];
}

/** Entra's Test Connection expects exactly this: 200 and a ListResponse with nothing in it. */
export function expectEmptyList(res: Response): void {
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expectScimJson(res);
  expect(res.body).toEqual({ schemas: [LIST_RESPONSE], totalResults: 0, itemsPerPage: 0, startIndex: 1, Resources: [] });
}

/** A SCIM error (RFC 7644 §3.12): the Error schema, `status` as a string, a `detail`, application/scim+json. */
export function expectScimError(res: Response, status: number, scimType?: string): Json {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expectScimJson(res);
  const body = res.body as Json;
  expect(body['schemas']).toEqual([ERROR_SCHEMA]);
  expect(body['status']).toBe(String(status));
  expect(typeof body['detail']).toBe('string');
  expect(String(body['detail']).length).toBeGreaterThan(0);
  if (scimType !== undefined) expect(body['scimType']).toBe(scimType);
  return body;
}

/** The ids of a group's members, read back with a plain GET. */
export async function memberIds(c: EntraClient, groupId: string): Promise<string[]> {
  const res = await c.get(`/Groups/${groupId}`);
  expect(res.status).toBe(200);
  const members = (res.body as Json)['members'] as Json[] | undefined;
  return (members ?? []).map((m) => String(m['value'])).sort();
}

/** Filter values URL-encoded the way Entra sends them: `+` for spaces, `%22` for quotes. */
export function entraQuery(filter: string): string {
  return encodeURIComponent(filter).replace(/%20/g, '+');
}
