/**
 * What the fuzz tests share (issue 12): fast-check with a fixed seed, so a failure is the same
 * on every machine and run; structured arbitraries that take a valid input and break one part of
 * it; and the property every reader must keep — it answers, or it throws one of its own errors
 * with a message that names the problem, never a raw JavaScript error.
 */
import fc from 'fast-check';
import { expect } from 'vitest';

export const seed = 20_260_612;

/** Runs `property` `numRuns` times with the fixed seed and prints the count for the record. */
export function check<T>(name: string, property: fc.IProperty<T> | fc.IAsyncProperty<T>, numRuns: number): void | Promise<void> {
  const done = () => console.log(`fuzz ${name}: ${numRuns} runs, no failure`);
  const result: unknown = fc.assert(property as fc.IProperty<T>, { seed, numRuns, endOnFailure: false });
  if (result instanceof Promise) return result.then(done);
  done();
}

/** Messages of JavaScript's own errors: a reader that lets one through did not check its input. */
const rawError = /is not a function|is not iterable|Cannot read propert|Cannot convert|Cannot create property|undefined is not|null is not|Maximum call stack|circular structure|Invalid array length|Invalid string length|out of memory|is not defined/i;

/** `run`'s value, or the error it threw, which must be one of `types` and say what is wrong. */
export function answersOrNames<T>(run: () => T, types: readonly (abstract new (...args: never[]) => Error)[]): T | Error {
  try {
    return run();
  } catch (error) {
    expectNamed(error, types);
    return error as Error;
  }
}

export function expectNamed(error: unknown, types: readonly (abstract new (...args: never[]) => Error)[]): void {
  if (!types.some((type) => error instanceof type)) throw new Error(`a raw error escaped: ${String(error)}`, { cause: error });
  const message = (error as Error).message;
  expect(message.length).toBeGreaterThan(0);
  expect(message).not.toMatch(rawError);
}

/** `[[[…]]]` and `{"a":{"a":…}}` `depth` levels deep. */
export function nested(depth: number, shape: 'array' | 'object'): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = shape === 'array' ? [value] : { a: value };
  return value;
}

/**
 * Deep nesting travels through fast-check (which clones, prints and shrinks values recursively)
 * as a marker string, and becomes real depth only on its way into a reader: `toJson` writes it
 * as text, `materialize` builds it as a value.
 */
const deepMarker = '\u{10FFFF}deep:';
const deepPattern = /"\u{10FFFF}deep:(\d+):(array|object)"/gu;

export function toJson(value: unknown): string {
  return JSON.stringify(value).replace(deepPattern, (_all, depth: string, shape: string) =>
    shape === 'array' ? `${'['.repeat(Number(depth))}1${']'.repeat(Number(depth))}` : `${'{"a":'.repeat(Number(depth))}1${'}'.repeat(Number(depth))}`,
  );
}

export function materialize(value: unknown): unknown {
  if (typeof value === 'string' && value.startsWith(deepMarker)) {
    const [depth, shape] = value.slice(deepMarker.length).split(':');
    return nested(Number(depth), shape as 'array' | 'object');
  }
  if (Array.isArray(value)) return value.map(materialize);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, materialize(v)]));
  return value;
}

/** Values that break readers: any JSON, deep nesting, huge strings, and the usual edge cases. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 250, max: 5000 }), fc.constantFrom('array', 'object')).map(([depth, shape]) => `${deepMarker}${depth}:${shape}`) },
  { weight: 1, arbitrary: fc.integer({ min: 10_000, max: 300_000 }).map((n) => 'x'.repeat(n)) },
  {
    weight: 3,
    arbitrary: fc.constantFrom<unknown>(null, [], {}, '', 0, -1, 0.5, 65_536, 1e300, -1e300, true, 'TCP', 'udp', '10.0.0.1', '::1', '10.0.0.0/8', '999.1.1.1/99', '__proto__', 'constructor', [null], [{}]),
  },
);

type Path = (string | number)[];

/** Every path into a JSON value (objects' keys and arrays' indexes), the root excluded. */
export function pathsOf(value: unknown): Path[] {
  const paths: Path[] = [];
  const stack: { value: unknown; path: Path }[] = [{ value, path: [] }];
  for (let top = stack.pop(); top; top = stack.pop()) {
    if (top.path.length > 0) paths.push(top.path);
    if (typeof top.value !== 'object' || top.value === null) continue;
    for (const [key, item] of Object.entries(top.value)) stack.push({ value: item, path: [...top.path, Array.isArray(top.value) ? Number(key) : key] });
  }
  return paths;
}

/** A copy of `value` with the thing at `path` replaced (or, for `undefined`, removed). */
export function replaced<T>(value: T, path: Path, replacement: unknown): T {
  const copy = structuredClone(value);
  let parent = copy as Record<string | number, unknown>;
  for (const part of path.slice(0, -1)) parent = parent[part] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (replacement === undefined) {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else parent[last] = replacement;
  return copy;
}

/** `base` with one to three of its parts replaced by hostile values or removed. */
export function mutationsOf<T>(base: T): fc.Arbitrary<T> {
  const paths = pathsOf(base);
  const one = fc.tuple(fc.nat({ max: paths.length - 1 }), fc.option(hostileValue, { nil: undefined, freq: 6 }));
  return fc.array(one, { minLength: 1, maxLength: 3 }).map((edits) => {
    let value = base;
    for (const [index, replacement] of edits) {
      const path = paths[index]!;
      // An earlier edit may have removed or replaced what this path leads through.
      if (!reaches(value, path)) continue;
      value = replaced(value, path, replacement);
    }
    return value;
  });
}

function reaches(value: unknown, path: Path): boolean {
  let at: unknown = value;
  for (const part of path.slice(0, -1)) {
    if (typeof at !== 'object' || at === null) return false;
    at = (at as Record<string | number, unknown>)[part];
  }
  return typeof at === 'object' && at !== null;
}

/** Text that is not what a reader expects: random Unicode, random bytes as UTF-8 (with
 * replacement characters), and YAML/JSON punctuation soup. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => new TextDecoder().decode(bytes)),
  fc.array(fc.constantFrom('{', '}', '[', ']', ':', '- ', '? ', ',', '"', "'", '&a ', '*a', '!!str ', '\n', '  ', '#', '---\n', 'kind: List\n', 'items:\n', 'a', '1', 'null', '<<: *a\n'), { maxLength: 120 }).map((parts) => parts.join('')),
);
