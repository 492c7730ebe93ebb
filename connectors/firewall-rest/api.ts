/**
 * What a firewall profile implements: the vendor's user and user-group API, keyed by name, in the
 * connector's own field names. connector.ts builds the SCIM-facing ResourceOps on top of this, with the
 * identity map (src/identity-map) holding the stable SCIM id for each name, so a profile never sees a SCIM
 * id and the core never sees a firewall name.
 *
 * One implementation per vendor (fortios/, panos/, generic/). A profile owns the wire: URLs, bodies,
 * envelopes, paging, its error codes (mapped to ConnectorError kinds in its errors.ts) and, for PAN-OS,
 * when changes are committed. Transport concerns shared by all (keep-alive, timeouts, TLS, the request
 * queue, retries of idempotent requests, 429/503 pauses) live in transport.ts and are handed in.
 *
 * Names: firewalls compare them case-insensitively (FortiOS by default, PAN-OS for local users); a profile
 * says so in `keyCase` and the identity map folds keys the same way.
 */
import type { NativeScalar } from '../types.js';

export type FirewallKind = 'user' | 'group';

/** A firewall object as the connector sees it: its name (the key) and its mapped fields. */
export interface FirewallObject {
  readonly key: string;
  readonly fields: Readonly<Record<string, NativeScalar>>;
}

export interface FirewallGroup extends FirewallObject {
  /** Member user names (and group names where the vendor nests groups), as the firewall stores them. */
  readonly members: readonly string[];
}

export interface FirewallLimits {
  /** Longest name the firewall accepts (FortiOS: users 64, groups 35); longer is a 400 naming the limit. */
  readonly maxKeyLength: { readonly user: number; readonly group: number };
  /** Per field, where the vendor documents one (FortiOS `email-to` ≤ 63, `sms-phone` ≤ 15). */
  readonly maxFieldLength?: Readonly<Record<string, number>>;
}

export interface FirewallApi {
  /** How the firewall compares names: the identity map folds keys the same way. */
  readonly keyCase: 'insensitive' | 'exact';
  readonly limits: FirewallLimits;
  /** Profiles without user groups leave /Groups out of discovery. */
  readonly groups: boolean;
  /** The native field that holds `active` (FortiOS `status`, PAN-OS `disabled`), converted by the profile to a boolean. */
  readonly activeField?: string;

  /** Cheap read-only probe (one GET); throws ConnectorError('unavailable' | 'upstream-auth'). */
  check(signal: AbortSignal): Promise<void>;

  get(kind: 'user', key: string, signal: AbortSignal): Promise<FirewallObject | undefined>;
  get(kind: 'group', key: string, signal: AbortSignal): Promise<FirewallGroup | undefined>;
  get(kind: FirewallKind, key: string, signal: AbortSignal): Promise<FirewallObject | FirewallGroup | undefined>;

  /** Every object of a kind, page by page from the firewall (bounded memory: a page at a time). */
  list(kind: FirewallKind, signal: AbortSignal): AsyncIterable<readonly (FirewallObject | FirewallGroup)[]>;

  /**
   * Create; throws ConnectorError('conflict') when the name is taken. Never retried blindly on a transport
   * error: the caller reads back first (connector.ts). Groups may be created with members.
   */
  create(kind: FirewallKind, object: FirewallObject & { readonly members?: readonly string[] }, signal: AbortSignal): Promise<void>;

  /** Set and clear fields; `rename` changes the name (the identity map follows in connector.ts). */
  update(kind: FirewallKind, key: string, change: { readonly set: Readonly<Record<string, NativeScalar>>; readonly unset: readonly string[]; readonly rename?: string }, signal: AbortSignal): Promise<void>;

  /** Delete; the caller has already removed a user from its groups (FortiOS refuses with "in use", −23). */
  delete(kind: FirewallKind, key: string, signal: AbortSignal): Promise<void>;

  /**
   * Add and remove members. Present/absent members count as success. A profile whose API replaces the
   * whole list (FortiOS `member`) serialises changes per group, so concurrent PATCHes cannot lose members.
   */
  changeMembers(group: string, change: { readonly add: readonly string[]; readonly remove: readonly string[] }, signal: AbortSignal): Promise<void>;

  /** Names of the groups `user` is in (for delete and rename). */
  groupsOf(user: string, signal: AbortSignal): Promise<string[]>;

  /** Resolve once every acknowledged change is applied (PAN-OS: committed); called before stop. */
  flush?(): Promise<void>;
  close?(): Promise<void>;
}

/** One HTTP request of a profile. `body` objects are sent as JSON; `form` as application/x-www-form-urlencoded (PAN-OS). */
export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path under the configured base URL, already URL-encoded by the profile (names are `encodeURIComponent`ed). */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  /** Profile headers, e.g. `Authorization` or `X-PAN-KEY` from a Secret. Never logged. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly form?: Readonly<Record<string, string>>;
  /**
   * Whether a failed attempt may be sent again. Defaults to true for GET, PUT and DELETE and false for POST
   * and PATCH; PAN-OS reads are POSTs and say `idempotent: true`. A create is never retried blindly.
   */
  readonly idempotent?: boolean;
  /** A short description for logs and error messages ("create user jdoe"); never contains secrets. */
  readonly what: string;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * The shared HTTP layer a profile sends through (transport.ts): keep-alive, per-request timeout, TLS with a
 * configurable CA, the connector's own request queue (requests in flight, requests per interval), a pause of
 * that queue for Retry-After on 429/503, and retries of idempotent requests with exponential backoff and
 * jitter within a budget. It resolves with any HTTP answer that is not a retryable failure (the profile maps
 * statuses and vendor error codes) and throws ConnectorError('unavailable' | 'rate-limited', { retryAfterSec })
 * when the firewall stays down, times out or keeps answering 429/5xx.
 */
export interface Transport {
  request(req: HttpRequest, signal: AbortSignal): Promise<HttpResponse>;
  close(): Promise<void>;
}
