/**
 * Canonical JSON: the one byte-exact text form of a JSON value, so that a hash over it is stable.
 *
 * - object keys sorted by UTF-16 code unit order (Array.prototype.sort), no whitespace anywhere;
 * - strings as JSON.stringify writes them;
 * - numbers: safe integers only. Floats, NaN, ±Infinity and integers beyond 2^53 are refused,
 *   because their text form is not stable across languages (money is integer minor units anyway);
 * - only plain objects, arrays, strings, integers, booleans and null. `undefined`, functions,
 *   symbols, bigint, Dates, Maps, class instances, sparse arrays and cycles are refused.
 *
 * Pure: no I/O.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export class CanonicalJsonError extends Error {
  constructor(
    /** Where in the value the problem is, e.g. `$.flags[0].params.ratio`. */
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'CanonicalJsonError';
  }
}

export function canonicalJson(value: unknown): string {
  const path: (string | number)[] = [];
  try {
    return write(value, path, new Set());
  } catch (e) {
    if (e instanceof PathlessError) throw new CanonicalJsonError(formatPath(path), e.message);
    throw e;
  }
}

/** Thrown deep inside; the path (kept as a stack, formatted only on failure) is added on the way out. */
class PathlessError extends Error {}

function formatPath(path: readonly (string | number)[]): string {
  return '$' + path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');
}

function write(value: unknown, path: (string | number)[], ancestors: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isSafeInteger(value)) throw new PathlessError(`only safe integers are allowed, got ${String(value)}`);
      // -0 is written as 0 (JSON.stringify does the same).
      return value === 0 ? '0' : String(value);
    case 'object':
      break;
    default:
      throw new PathlessError(`a ${typeof value} is not JSON`);
  }
  const obj = value as object;
  if (ancestors.has(obj)) throw new PathlessError('cycle');
  ancestors.add(obj);
  let out: string;
  if (Array.isArray(obj)) {
    out = '[';
    for (let i = 0; i < obj.length; i++) {
      path.push(i);
      if (!(i in obj)) throw new PathlessError('sparse array hole');
      out += (i ? ',' : '') + write(obj[i], path, ancestors);
      path.pop();
    }
    out += ']';
  } else {
    const proto = Object.getPrototypeOf(obj) as unknown;
    if (proto !== Object.prototype && proto !== null) throw new PathlessError('only plain objects are allowed');
    const record = obj as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    out = '{';
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      path.push(key);
      out += (i ? ',' : '') + JSON.stringify(key) + ':' + write(record[key], path, ancestors);
      path.pop();
    }
    out += '}';
  }
  ancestors.delete(obj);
  return out;
}

/**
 * Parses a text that must already be canonical: the result, written canonically again, must give
 * back exactly the same text. Throws `CanonicalJsonError` otherwise (also for invalid JSON).
 */
export function parseCanonicalJson(text: string): JsonValue {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new CanonicalJsonError('$', `not JSON (${(e as Error).message})`);
  }
  if (canonicalJson(parsed) !== text) throw new CanonicalJsonError('$', 'not in canonical form');
  return parsed as JsonValue;
}
