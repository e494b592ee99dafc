/**
 * A fast path for zod schemas on input that is already well formed (issue 14): a check compiled
 * once from the schema's own definition, so it cannot drift from it, that answers what zod's
 * `safeParse` would answer on success — without copying each object zod copies, or collecting
 * issues. It says nothing about input that fails: then it answers `undefined`, and the caller
 * runs zod itself for the message naming the first bad field. A snapshot of 10k pods holds about
 * a million values; zod's copy of each was most of the time `podpath trace` took on one.
 *
 * It understands the kinds a snapshot's objects are made of (objects loose or stripping, arrays,
 * string records, strings, numbers, booleans, enums, literals, unions, optional, nullable,
 * default, unknown) with exactly zod's rules for each; any other kind or check, it hands to zod
 * for that value alone. An own `__proto__` key, which zod drops from its copy, sends the whole
 * input to zod, so the answer is always the one zod would give.
 */
import type { z } from 'zod';

/** What a compiled check answers: zod's output for the value, or `unsure` (let zod decide). */
const unsure: unique symbol = Symbol('unsure');
type Check = (value: unknown) => unknown;

/** The parts of a zod definition the fast path reads (zod/v4/core's `_zod.def`). */
interface Def {
  type: string;
  checks?: { _zod: { def: { check: string; minimum?: number } } }[];
  shape?: Record<string, Schema>;
  catchall?: Schema;
  element?: Schema;
  keyType?: Schema;
  valueType?: Schema;
  innerType?: Schema;
  options?: Schema[];
  entries?: Record<string, unknown>;
  values?: unknown[];
  format?: string;
  coerce?: boolean;
  mode?: string;
}

interface Schema {
  _zod: { def: Def; optin?: string; optout?: string };
  safeParse(value: unknown): { success: true; data: unknown } | { success: false };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const hasOwn = Object.prototype.hasOwnProperty;

/** The value as zod parses it, for kinds the fast path leaves to zod. */
function byZod(schema: Schema): Check {
  return (value) => {
    const result = schema.safeParse(value);
    return result.success ? result.data : unsure;
  };
}

/** Checks of a string the fast path knows: none, or minimum lengths (`.min(1)`). */
function stringCheck(def: Def): Check | null {
  if (def.coerce || def.format !== undefined) return null;
  let minimum = 0;
  for (const check of def.checks ?? []) {
    if (check._zod.def.check !== 'min_length') return null;
    minimum = Math.max(minimum, check._zod.def.minimum ?? 0);
  }
  return (value) => (typeof value === 'string' && value.length >= minimum ? value : unsure);
}

/** A field of an object: its check, and whether it may be absent (optional, or defaulted). */
interface Field {
  key: string;
  check: Check;
  /** Absent is allowed and stays absent (`.optional()`). */
  isOptional: boolean;
  /** Absent, zod fills it in (`.default(…)`); null when absent is an error. */
  fill: Check | null;
}

function objectCheck(def: Def, compile: (schema: Schema) => Check): Check | null {
  const catchall = def.catchall?._zod.def.type;
  // Loose (`z.looseObject`: unknown keys kept) or stripping (`z.object`: unknown keys dropped).
  if (catchall !== undefined && catchall !== 'unknown') return null;
  const isLoose = catchall === 'unknown';
  const fields: Field[] = [];
  for (const [key, schema] of Object.entries(def.shape ?? {})) {
    if (key === '__proto__') return null;
    const { optin, optout } = schema._zod;
    const isOptional = optin === 'optional' && optout === 'optional';
    // Absent, a field zod fills in (`.default([])`) is filled by zod; a required one is an error.
    const fill = optin !== undefined && !isOptional ? byZod(schema) : null;
    fields.push({ key, check: compile(schema), isOptional, fill });
  }
  return (value) => {
    if (!isObject(value) || hasOwn.call(value, '__proto__')) return unsure;
    // A loose object is zod's output as it is while every field is; a stripping one is rebuilt.
    let out: Record<string, unknown> = isLoose ? value : {};
    for (const { key, check, isOptional, fill } of fields) {
      const item = value[key];
      let parsed: unknown;
      if (item === undefined) {
        if (hasOwn.call(value, key)) return unsure;
        if (isOptional) continue;
        parsed = fill ? fill(undefined) : unsure;
        if (parsed === undefined) return unsure;
      } else {
        parsed = check(item);
      }
      if (parsed === unsure) return unsure;
      if (parsed !== item) {
        if (out === value) out = { ...value };
        out[key] = parsed;
      } else if (!isLoose) {
        out[key] = parsed;
      }
    }
    return out;
  };
}

function arrayCheck(def: Def, compile: (schema: Schema) => Check): Check | null {
  if ((def.checks ?? []).length > 0 || !def.element) return null;
  const element = compile(def.element);
  return (value) => {
    if (!Array.isArray(value)) return unsure;
    let out: unknown[] = value;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const parsed = item === undefined ? unsure : element(item);
      if (parsed === unsure) return unsure;
      if (parsed !== item) {
        if (out === value) out = [...value];
        out[i] = parsed;
      }
    }
    return out;
  };
}

/** `z.record(z.string(), …)`: every key a string (as every JSON key is), every value checked. */
function recordCheck(def: Def, compile: (schema: Schema) => Check): Check | null {
  const key = def.keyType?._zod.def;
  if (!key || key.type !== 'string' || stringCheck(key) === null || (key.checks ?? []).length > 0 || !def.valueType || def.mode === 'loose') return null;
  const valueCheck = compile(def.valueType);
  return (value) => {
    if (!isObject(value)) return unsure;
    let out = value;
    for (const name in value) {
      if (name === '__proto__') return unsure;
      const item = value[name];
      const parsed = item === undefined ? unsure : valueCheck(item);
      if (parsed === unsure) return unsure;
      if (parsed !== item) {
        if (out === value) out = { ...value };
        out[name] = parsed;
      }
    }
    return out;
  };
}

function compileDef(schema: Schema, compile: (schema: Schema) => Check): Check | null {
  const def = schema._zod.def;
  const plain = (def.checks ?? []).length === 0 && !def.coerce;
  switch (def.type) {
    case 'string':
      return stringCheck(def);
    case 'number':
      return plain && def.format === undefined ? (value) => (typeof value === 'number' && Number.isFinite(value) ? value : unsure) : null;
    case 'boolean':
      return plain ? (value) => (typeof value === 'boolean' ? value : unsure) : null;
    case 'unknown':
      return (value) => value;
    case 'enum': {
      const allowed = new Set(Object.values(def.entries ?? {}));
      return plain ? (value) => (allowed.has(value) ? value : unsure) : null;
    }
    case 'literal': {
      const allowed = new Set(def.values ?? []);
      return plain ? (value) => (allowed.has(value) ? value : unsure) : null;
    }
    case 'object':
      return plain ? objectCheck(def, compile) : null;
    case 'array':
      return arrayCheck(def, compile);
    case 'record':
      return plain ? recordCheck(def, compile) : null;
    case 'optional':
    case 'default':
      // The field's absence is the object's to handle; a value present is the inner type's.
      return plain && def.innerType ? compile(def.innerType) : null;
    case 'nullable': {
      if (!plain || !def.innerType) return null;
      const inner = compile(def.innerType);
      return (value) => (value === null ? null : inner(value));
    }
    case 'union': {
      if (!plain || !def.options) return null;
      // zod answers with the first option that accepts the value.
      const options = def.options.map(compile);
      return (value) => {
        for (const option of options) {
          const parsed = option(value);
          if (parsed !== unsure) return parsed;
        }
        return unsure;
      };
    }
    default:
      return null;
  }
}

/**
 * Compiles `schema` into a function answering zod's parsed output for a well-formed value, or
 * `undefined` when the value may be invalid (zod must then be asked, for its message). The
 * value must come from JSON.parse (plain objects and arrays, no `undefined`).
 */
export function compileFastParse<T>(schema: z.ZodType<T>): (value: unknown) => T | undefined {
  const compiled = new Map<Schema, Check>();
  const compile = (inner: Schema): Check => {
    // A schema used in several places (metadata, string lists) is compiled once. (A schema
    // nested in itself would need z.lazy, which is left to zod.)
    let check = compiled.get(inner);
    if (!check) {
      check = compileDef(inner, compile) ?? byZod(inner);
      compiled.set(inner, check);
    }
    return check;
  };
  const check = compile(schema as unknown as Schema);
  return (value) => {
    const parsed = check(value);
    return parsed === unsure ? undefined : (parsed as T);
  };
}
