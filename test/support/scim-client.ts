/**
 * Thin supertest helpers for the HTTP suite: a client bound to one server, endpoint and token, the SCIM
 * URNs the assertions need, and one assertion for the RFC 7644 §3.12 error shape.
 */
import type { Server } from 'node:http';
import request from 'supertest';
import { expect } from 'vitest';
import { AUTH, BASE } from './build-app.js';
import { fitUnique } from './backend.js';

export const SCIM_JSON = 'application/scim+json';
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

export type PatchOperationBody = Record<string, unknown>;

export function scimClient(server: Server, auth: Record<string, string> = AUTH, base: string = BASE) {
  return {
    get: (path: string) => request(server).get(`${base}${path}`).set(auth),
    post: (path: string, body: unknown) => request(server).post(`${base}${path}`).set(auth).set('Content-Type', SCIM_JSON).send(body as object),
    put: (path: string, body: unknown, headers: Record<string, string> = {}) =>
      request(server).put(`${base}${path}`).set(auth).set(headers).set('Content-Type', SCIM_JSON).send(body as object),
    patch: (path: string, body: unknown, headers: Record<string, string> = {}) =>
      request(server).patch(`${base}${path}`).set(auth).set(headers).set('Content-Type', SCIM_JSON).send(body as object),
    /** PATCH with a PatchOp message built from `ops`. */
    patchOps: (path: string, ops: readonly PatchOperationBody[], headers: Record<string, string> = {}) =>
      request(server)
        .patch(`${base}${path}`)
        .set(auth)
        .set(headers)
        .set('Content-Type', SCIM_JSON)
        .send({ schemas: [PATCH_OP], Operations: ops }),
    /** A body sent verbatim (so `"__proto__"` stays a real key, or the JSON can be broken on purpose). */
    raw: (method: 'post' | 'put' | 'patch', path: string, text: string, contentType: string = SCIM_JSON) =>
      request(server)[method](`${base}${path}`).set(auth).set('Content-Type', contentType).send(text),
    delete: (path: string, headers: Record<string, string> = {}) => request(server).delete(`${base}${path}`).set(auth).set(headers),
    /** GET a list with `filter` (and other parameters) percent-encoded. */
    list: (path: string, params: Record<string, string | number>) => {
      const qs = Object.entries(params)
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
        .join('&');
      return request(server).get(`${base}${path}?${qs}`).set(auth);
    },
  };
}

export type ScimClient = ReturnType<typeof scimClient>;

interface Res {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Record<string, unknown>;
}

/** RFC 7644 §3.12: the Error schema, `status` as a string, a detail, SCIM content type; optionally a scimType. */
export function expectScimError(res: Res, status: number, scimType?: string): void {
  expect({ status: res.status, body: res.body }).toMatchObject({ status, body: { schemas: [ERROR_SCHEMA], status: String(status) } });
  expect(String(res.headers['content-type'])).toMatch(/^application\/scim\+json/);
  expect(typeof res.body['detail']).toBe('string');
  expect(String(res.body['detail']).length).toBeGreaterThan(0);
  if (scimType !== undefined) expect(res.body['scimType']).toBe(scimType);
}

let counter = 0;
/** A name unique within the test process, so tests sharing a gateway never collide. */
export function uniq(prefix: string): string {
  counter += 1;
  // Where names are short (the firewall backends: fitUnique), a shorter prefix and a short unique tail.
  const tail = `${counter.toString(36)}${Math.random().toString(36).slice(2, 4)}`;
  return fitUnique(prefix, `${prefix}-${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}`, tail);
}

/** POST a user and return the created resource, failing the test when it is not 201. */
export async function createUser(client: ScimClient, body: Record<string, unknown>): Promise<Record<string, any>> {
  const res = await client.post('/Users', { schemas: [USER_SCHEMA], ...body });
  if (res.status !== 201) throw new Error(`creating a user failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Record<string, any>;
}

/** POST a group and return the created resource, failing the test when it is not 201. */
export async function createGroup(client: ScimClient, body: Record<string, unknown>): Promise<Record<string, any>> {
  const res = await client.post('/Groups', { schemas: [GROUP_SCHEMA], ...body });
  if (res.status !== 201) throw new Error(`creating a group failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Record<string, any>;
}
