/**
 * Reading JSON of unknown shape, as the API server (or a file) hands it over: each reader keeps
 * a value only if it has the expected type, and drops it otherwise.
 */

export type Data = Record<string, unknown>;

export function isRecord(value: unknown): value is Data {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function record(value: unknown): Data {
  return isRecord(value) ? value : {};
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function bool(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

export function intOrString(value: unknown): number | string | undefined {
  return num(value) ?? str(value);
}

/** A timestamp as the API sends it; client libraries that revive dates hand us a Date. */
export function timestamp(value: unknown): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString().replace('.000Z', 'Z');
  return str(value);
}

export function oneOf<T extends string>(value: unknown, allowed: readonly T[]): T | undefined {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : undefined;
}

export function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;
}

export function stringMap(value: unknown): Record<string, string> | undefined {
  if (!isRecord(value)) return undefined;
  const out: Record<string, string> = {};
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (typeof v === 'string') out[key] = v;
  }
  return out;
}

/** The array's object items, each mapped; items that are not objects or map to undefined are
 * dropped. Undefined when the value is not an array, so an absent list stays absent. */
export function list<T>(value: unknown, each: (item: Data) => T | undefined): T[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: T[] = [];
  for (const item of value) {
    if (!isRecord(item)) continue;
    const mapped = each(item);
    if (mapped !== undefined) out.push(mapped);
  }
  return out;
}

/** The object without its undefined fields, so a trimmed object holds only what was there. */
export function compact<T extends object>(value: T): T {
  const out = value as Record<string, unknown>;
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return value;
}

/** Like `compact`, and undefined when nothing is left: an optional block with no known field. */
export function nonEmpty<T extends object>(value: T): T | undefined {
  compact(value);
  return Object.keys(value).length > 0 ? value : undefined;
}
