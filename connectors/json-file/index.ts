import { defineConnector } from '../types.js';
import { jsonFileConfigSchema, jsonFileDefaultMapping } from './config.js';
import { JsonFileConnector } from './connector.js';

/** The embedded default store: one durable JSON document on local disk. See README.md. */
export const jsonFileConnector = defineConnector({
  type: 'json-file',
  configSchema: jsonFileConfigSchema,
  defaultMapping: jsonFileDefaultMapping,
  create: (options, deps) => new JsonFileConnector(options, deps.fields),
});
