/**
 * Reading the unvalidated YAML data. Cross-file checks look at raw values so that one invalid field does not
 * hide problems elsewhere; the schema reports the invalid field itself.
 */

/** `data[key]` when `data` is a mapping that has `key` as its own property, else undefined. */
export function field(data: unknown, key: string): unknown {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
  return Object.hasOwn(data, key) ? (data as Record<string, unknown>)[key] : undefined;
}
