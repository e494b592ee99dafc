/**
 * A limit on how deeply input may nest, for every reader of JSON or YAML a user hands us.
 * JSON.parse and YAML's own parser are iterative, but YAML's composer, `toJS`, JSON.stringify and
 * several of our walks recurse: a file of 10,000 `[` would overflow the stack, and near the
 * stack's end V8 can even abort the process (a regular expression compiled there fails as
 * "out of memory"). So depth is checked before anything recursive runs — on YAML's syntax tree,
 * and on parsed values — by loops with explicit stacks.
 */
import { Composer, LineCounter, parse, Parser, type CST, type Document } from 'yaml';

/** Far deeper than any Kubernetes object (a CRD's schema nests a few dozen levels), far
 * shallower than the stack. */
export const maxNestingDepth = 256;

/** Input nested deeper than `maxNestingDepth`; `where` says where (a path, or line and column). */
export class NestingError extends Error {
  readonly where: string;
  /** The line, when `where` is a place in a text. */
  readonly line: number | null;

  constructor(where: string, line: number | null = null) {
    super(`nested deeper than ${maxNestingDepth} levels at ${where}`);
    this.name = 'NestingError';
    this.where = where;
    this.line = line;
  }
}

type PathPart = string | number;

/** `items[0].spec.ports`, the first parts only when it is long (a cycle's path is endless). */
export function formatPath(path: readonly PathPart[]): string {
  const shown = path.slice(0, 12).map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${part}`)).join('');
  return (shown || '(root)') + (path.length > 12 ? '…' : '');
}

/**
 * The path to the first place where `value` nests deeper than the limit, or null. A value that
 * contains itself (a YAML alias inside its own anchor) is endlessly deep, so it is caught too.
 */
export function tooDeepAt(value: unknown, limit = maxNestingDepth): PathPart[] | null {
  return isTooDeep(value, limit) ? pathTooDeep(value, limit) : null;
}

/**
 * Whether `value` nests deeper than `limit`: the walk every snapshot, manifest and kubeconfig
 * takes, so it allocates nothing per value but its place on the stack (a snapshot of 10k pods
 * holds about a million values); the path is found afterwards, for the rare input that fails.
 */
function isTooDeep(value: unknown, limit: number): boolean {
  const values: unknown[] = [value];
  const depths: number[] = [0];
  while (values.length > 0) {
    const next = values.pop();
    const depth = depths.pop() ?? 0;
    if (typeof next !== 'object' || next === null) continue;
    if (depth >= limit) return true;
    const items = Array.isArray(next) ? (next as unknown[]) : Object.values(next);
    for (const item of items) {
      if (typeof item !== 'object' || item === null) continue;
      values.push(item);
      depths.push(depth + 1);
    }
  }
  return false;
}

function pathTooDeep(value: unknown, limit: number): PathPart[] | null {
  // Each entry knows its parent, so a path is built only for the one reported.
  interface Entry { value: unknown; key: PathPart; depth: number; parent: Entry | null }
  const stack: Entry[] = [{ value, key: '', depth: 0, parent: null }];
  for (let top = stack.pop(); top; top = stack.pop()) {
    const parent: Entry = top;
    if (typeof parent.value !== 'object' || parent.value === null) continue;
    if (parent.depth >= limit) {
      const path: PathPart[] = [];
      for (let at: Entry | null = parent; at?.parent; at = at.parent) path.unshift(at.key);
      return path;
    }
    const depth = parent.depth + 1;
    if (Array.isArray(parent.value)) parent.value.forEach((item, key) => stack.push({ value: item, key, depth, parent }));
    else for (const [key, item] of Object.entries(parent.value)) stack.push({ value: item, key, depth, parent });
  }
  return null;
}

/** Throws a NestingError when `value` nests deeper than the limit. */
export function checkDepth(value: unknown): void {
  const path = tooDeepAt(value);
  if (path) throw new NestingError(formatPath(path));
}

/** The offset of the first collection in a YAML syntax tree that nests deeper than the limit. */
function tooDeepTokenAt(token: CST.Token): number | null {
  const stack: { token: CST.Token | null | undefined; depth: number }[] = [{ token, depth: 0 }];
  for (let top = stack.pop(); top; top = stack.pop()) {
    const { token: t, depth } = top;
    if (!t) continue;
    if (t.type === 'document') stack.push({ token: t.value, depth });
    else if (t.type === 'block-map' || t.type === 'block-seq' || t.type === 'flow-collection') {
      if (depth >= maxNestingDepth) return t.offset;
      for (const item of t.items) stack.push({ token: item.key, depth: depth + 1 }, { token: item.value, depth: depth + 1 });
    }
  }
  return null;
}

/** Throws a NestingError, naming the line and column, when YAML's syntax tree nests too deep. */
function checkTokens(tokens: readonly CST.Token[], lineCounter: LineCounter): void {
  for (const token of tokens) {
    const offset = tooDeepTokenAt(token);
    if (offset !== null) {
      const { line, col } = lineCounter.linePos(offset);
      throw new NestingError(`line ${line}, column ${col}`, line);
    }
  }
}

/** Checks a YAML text's nesting before a yaml API that composes it (parseDocument) is called. */
export function checkYamlDepth(text: string): void {
  const lineCounter = new LineCounter();
  checkTokens([...new Parser(lineCounter.addNewLine).parse(text)], lineCounter);
}

/**
 * The documents of a YAML text, as yaml's `parseAllDocuments` gives them, but composed only
 * after the syntax tree was checked for depth. Throws a NestingError naming the line and column.
 */
export function parseYamlDocuments(text: string, lineCounter = new LineCounter()): Document.Parsed[] {
  const tokens = [...new Parser(lineCounter.addNewLine).parse(text)];
  checkTokens(tokens, lineCounter);
  return [...new Composer().compose(tokens)];
}

/** yaml's `parse`, for YAML inside an object (a ConfigMap's setting): throws on a syntax error,
 * more than one document, or nesting past the limit (an alias inside its own anchor too). */
export function parseYaml(text: string): unknown {
  checkYamlDepth(text);
  const value: unknown = parse(text);
  checkDepth(value);
  return value;
}
