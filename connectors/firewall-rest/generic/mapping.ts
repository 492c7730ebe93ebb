/**
 * The generic profile's default mapping: the object name and externalId (kept by the identity map), and
 * `active` when the YAML says where the account state is. Everything else the operator maps in the connector
 * file's `mapping:` to the native fields declared in `users.object.fields` / `groups.object.fields`.
 */
import type { MappingConfig } from '../../types.js';
import type { GenericProfileOptions } from './config.js';

export function genericDefaultMapping(options: Pick<GenericProfileOptions, 'users'>): MappingConfig {
  const active = options.users.object.active;
  return {
    user: { userName: 'name', externalId: 'externalId', ...(active ? { active: active.field } : {}) },
    group: { displayName: 'name', externalId: 'externalId' },
  };
}
