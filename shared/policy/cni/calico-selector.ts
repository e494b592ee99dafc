/**
 * Calico's selector language (projectcalico/calico libcalico-go/lib/selector, tokenizer.go and
 * parser/parser.go at 87c15906): `label == "v"`, `!=`, `in {…}`, `not in {…}`, `contains`,
 * `starts with`, `ends with`, `has(label)`, `all()`, `global()`, `!`, `&&`, `||`, parentheses.
 * No npm package parses it, so this is a small recursive-descent parser of the same grammar:
 * - `!` binds one operation and may repeat (`!!has(a)`); `&&` binds tighter than `||`;
 * - `!=` and `not in` also match when the label is absent; `==`, `in`, `contains`, `starts with`
 *   and `ends with` need it present;
 * - the empty selector is `all()`; strings are '…' or "…" without escapes; a label is
 *   `[A-Za-z0-9_./-]+`; the two-word operators may have any spaces between the words (or none).
 * Pure: parse once, evaluate against many label maps.
 */

export type CalicoSelector =
  | { op: 'all' }
  | { op: 'global' }
  | { op: 'has'; label: string }
  | { op: '==' | '!=' | 'contains' | 'starts with' | 'ends with'; label: string; value: string }
  | { op: 'in' | 'not in'; label: string; values: string[] }
  | { op: 'not'; expr: CalicoSelector }
  | { op: 'and' | 'or'; exprs: CalicoSelector[] };

type Token =
  | { kind: 'label' | 'string' | 'has'; value: string }
  | { kind: '(' | ')' | '{' | '}' | ',' | '==' | '!=' | '!' | '&&' | '||' | 'in' | 'not in' | 'contains' | 'starts with' | 'ends with' | 'all' | 'global' | 'eof' };

const labelChar = /[A-Za-z0-9_./-]/;
const maxLabelLength = 512;

function trimSpace(input: string): string {
  return input.replace(/^[ \t]+/, '');
}

function cutLabel(input: string): [string, string] {
  let end = 0;
  while (end < input.length && labelChar.test(input[end]!)) end++;
  const label = input.slice(0, end);
  if (label.length === 0) throw new Error('expected identifier');
  if (label.length > maxLabelLength) throw new Error(`label too long: ${label}`);
  return [label, input.slice(end)];
}

/** The words of a multi-word operator, with any spaces between them, ending at a word boundary. */
function cutWords(input: string, words: string[]): string | null {
  let rest = input;
  for (const word of words) {
    if (!rest.startsWith(word)) return null;
    rest = trimSpace(rest.slice(word.length));
  }
  return rest.length > 0 && labelChar.test(rest[0]!) ? null : rest;
}

const operators: [Token['kind'], string[]][] = [
  ['contains', ['contains']],
  ['starts with', ['starts', 'with']],
  ['ends with', ['ends', 'with']],
  ['not in', ['not', 'in']],
  ['in', ['in']],
];

function tokenize(selector: string): Token[] {
  const tokens: Token[] = [];
  let input = selector;
  for (;;) {
    input = trimSpace(input);
    if (input.length === 0) return [...tokens, { kind: 'eof' }];
    const c = input[0]!;
    const last = tokens.at(-1)?.kind;
    if ('(){},'.includes(c)) {
      tokens.push({ kind: c as '(' });
      input = input.slice(1);
    } else if (c === '"' || c === "'") {
      const end = input.indexOf(c, 1);
      if (end === -1) throw new Error('unterminated string');
      tokens.push({ kind: 'string', value: input.slice(1, end) });
      input = input.slice(end + 1);
    } else if (c === '=') {
      if (!input.startsWith('==')) throw new Error('expected ==');
      tokens.push({ kind: '==' });
      input = input.slice(2);
    } else if (c === '!') {
      const isNe = input.startsWith('!=');
      tokens.push({ kind: isNe ? '!=' : '!' });
      input = input.slice(isNe ? 2 : 1);
    } else if (c === '&' || c === '|') {
      const pair = c === '&' ? '&&' : '||';
      if (!input.startsWith(pair)) throw new Error(`expected ${pair}`);
      tokens.push({ kind: pair });
      input = input.slice(2);
    } else if (last === 'label') {
      // After a label only an operator may come.
      const found = operators.map(([kind, words]) => [kind, cutWords(input, words)] as const).find(([, rest]) => rest !== null);
      if (!found) throw new Error(`expected operator after label ${(tokens.at(-1) as { value: string }).value}`);
      tokens.push({ kind: found[0] } as Token);
      input = found[1]!;
    } else if (input.startsWith('has(')) {
      const [label, rest] = cutLabel(trimSpace(input.slice(4)));
      const after = trimSpace(rest);
      if (!after.startsWith(')')) throw new Error("no closing ')' after has(");
      tokens.push({ kind: 'has', value: label });
      input = after.slice(1);
    } else if (input.startsWith('all(') || input.startsWith('global(')) {
      const kind = input.startsWith('all(') ? 'all' : 'global';
      const after = trimSpace(input.slice(kind.length + 1));
      if (!after.startsWith(')')) throw new Error(`no closing ')' after ${kind}(`);
      tokens.push({ kind });
      input = after.slice(1);
    } else {
      const [label, rest] = cutLabel(input);
      tokens.push({ kind: 'label', value: label });
      input = rest;
    }
  }
}

class Parser {
  private at = 0;
  private readonly tokens: Token[];

  constructor(tokens: Token[]) {
    this.tokens = tokens;
  }

  private peek(): Token {
    return this.tokens[this.at]!;
  }

  private next(): Token {
    return this.tokens[this.at++]!;
  }

  parseRoot(): CalicoSelector {
    if (this.peek().kind === 'eof') return { op: 'all' };
    const expr = this.parseOr();
    if (this.peek().kind !== 'eof') throw new Error('unexpected content at end of selector');
    return expr;
  }

  private parseOr(): CalicoSelector {
    const exprs = [this.parseAnd()];
    while (this.peek().kind === '||') {
      this.next();
      exprs.push(this.parseAnd());
    }
    return exprs.length === 1 ? exprs[0]! : { op: 'or', exprs };
  }

  private parseAnd(): CalicoSelector {
    const exprs = [this.parseOperation()];
    while (this.peek().kind === '&&') {
      this.next();
      exprs.push(this.parseOperation());
    }
    return exprs.length === 1 ? exprs[0]! : { op: 'and', exprs };
  }

  private parseOperation(): CalicoSelector {
    let isNegated = false;
    while (this.peek().kind === '!') {
      this.next();
      isNegated = !isNegated;
    }
    const expr = this.parseTerm();
    return isNegated ? { op: 'not', expr } : expr;
  }

  private parseTerm(): CalicoSelector {
    const token = this.next();
    switch (token.kind) {
      case 'has':
        return { op: 'has', label: token.value };
      case 'all':
        return { op: 'all' };
      case 'global':
        return { op: 'global' };
      case '(': {
        const expr = this.parseOr();
        if (this.next().kind !== ')') throw new Error('expected )');
        return expr;
      }
      case 'label':
        return this.parseComparison(token.value);
      default:
        throw new Error(`unexpected token ${token.kind}`);
    }
  }

  private parseComparison(label: string): CalicoSelector {
    const op = this.next();
    if (op.kind === '==' || op.kind === '!=' || op.kind === 'contains' || op.kind === 'starts with' || op.kind === 'ends with') {
      const value = this.next();
      if (value.kind !== 'string') throw new Error('expected string');
      return { op: op.kind, label, value: value.value };
    }
    if (op.kind === 'in' || op.kind === 'not in') {
      if (this.next().kind !== '{') throw new Error('expected set literal');
      const values = new Set<string>();
      while (this.peek().kind === 'string') {
        values.add((this.next() as { value: string }).value);
        if (this.peek().kind !== ',') break;
        this.next();
      }
      if (this.next().kind !== '}') throw new Error('expected }');
      return { op: op.kind, label, values: [...values].sort() };
    }
    throw new Error(`expected == or != after ${label}`);
  }
}

/** The selector, parsed; throws an Error saying what is wrong with it. */
export function parseCalicoSelector(selector: string): CalicoSelector {
  return new Parser(tokenize(selector)).parseRoot();
}

/** The selector or the reason it does not parse. */
export function tryParseCalicoSelector(selector: string): { selector: CalicoSelector } | { error: string } {
  try {
    return { selector: parseCalicoSelector(selector) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

export function evaluateCalicoSelector(selector: CalicoSelector, labels: Readonly<Record<string, string>>): boolean {
  const value = 'label' in selector ? (Object.hasOwn(labels, selector.label) ? labels[selector.label] : undefined) : undefined;
  switch (selector.op) {
    case 'all':
    case 'global':
      return true;
    case 'has':
      return value !== undefined;
    case '==':
      return value === selector.value;
    case '!=':
      return value !== selector.value;
    case 'contains':
      return value !== undefined && value.includes(selector.value);
    case 'starts with':
      return value !== undefined && value.startsWith(selector.value);
    case 'ends with':
      return value !== undefined && value.endsWith(selector.value);
    case 'in':
      return value !== undefined && selector.values.includes(value);
    case 'not in':
      return value === undefined || !selector.values.includes(value);
    case 'not':
      return !evaluateCalicoSelector(selector.expr, labels);
    case 'and':
      return selector.exprs.every((e) => evaluateCalicoSelector(e, labels));
    case 'or':
      return selector.exprs.some((e) => evaluateCalicoSelector(e, labels));
  }
}

/**
 * Like evaluateCalicoSelector, where the labels `isUnread` names have values Podpath does not
 * know: true or false when the known labels decide it, null when it rests on an unread one
 * (`!` keeps null; `&&` is false once one part is, `||` true once one part is).
 */
export function evaluateCalicoSelectorPartly(selector: CalicoSelector, labels: Readonly<Record<string, string>>, isUnread: (label: string) => boolean): boolean | null {
  switch (selector.op) {
    case 'not': {
      const value = evaluateCalicoSelectorPartly(selector.expr, labels, isUnread);
      return value === null ? null : !value;
    }
    case 'and':
    case 'or': {
      const decisive = selector.op === 'or';
      const values = selector.exprs.map((e) => evaluateCalicoSelectorPartly(e, labels, isUnread));
      if (values.includes(decisive)) return decisive;
      return values.includes(null) ? null : !decisive;
    }
    default:
      return 'label' in selector && isUnread(selector.label) ? null : evaluateCalicoSelector(selector, labels);
  }
}

const quote = (value: string) => (value.includes('"') ? `'${value}'` : `"${value}"`);

/** Calico's canonical form (ast.go String): what `calicoctl get -o yaml` would show. */
export function formatCalicoSelector(selector: CalicoSelector, isNested = false): string {
  switch (selector.op) {
    case 'all':
    case 'global':
      return `${selector.op}()`;
    case 'has':
      return `has(${selector.label})`;
    case 'in':
    case 'not in':
      return `${selector.label} ${selector.op} {${selector.values.map(quote).join(', ')}}`;
    case 'not':
      return `!${formatCalicoSelector(selector.expr, true)}`;
    case 'and':
    case 'or': {
      const text = selector.exprs.map((e) => formatCalicoSelector(e, true)).join(selector.op === 'and' ? ' && ' : ' || ');
      return isNested ? `(${text})` : text;
    }
    default:
      return `${selector.label} ${selector.op} ${quote(selector.value)}`;
  }
}
