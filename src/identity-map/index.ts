/**
 * Embedded, durable SCIM id ⇄ downstream key map for backends that key objects by a mutable name (firewall
 * REST user APIs). The contract is in types.ts; the implementation runs on src/durable.
 */
export { openIdentityMap } from './durable.js';
export { IdentityMapError, type IdentityMapErrorCode } from './errors.js';
export type { IdentityEntry, IdentityInput, IdentityKind, IdentityMap, IdentityMapOptions } from './types.js';
