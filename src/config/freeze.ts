/**
 * Deep freeze for the loaded config: it is shared by every request handler, and a handler that changed it
 * would change it for all of them.
 */

/**
 * Freezes plain objects and arrays, recursively. Class instances (Secret, Buffer, a connector's URL) are left
 * alone: freezing a Buffer throws, and freezing other built-ins can break their methods.
 */
export function deepFreeze<T>(value: T, seen: WeakSet<object> = new WeakSet()): T {
  if (value === null || typeof value !== 'object' || seen.has(value)) return value;
  seen.add(value);
  const proto: unknown = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return value;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child, seen);
  return value;
}
