/** The generic profile of the firewall-rest connector: any JSON REST user API, declared in YAML (research B6). */
export { createGenericApi, type MappedNativeFields } from './profile.js';
export { genericOptionsSchema, genericOptionsShape, type GenericOptions, type GenericProfileOptions } from './config.js';
export { genericDefaultMapping } from './mapping.js';
