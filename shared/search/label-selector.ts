/**
 * Kubernetes label selectors as text (`app=web,tier!=db`, `k`, `!k`, `k in (a,b)`, `k notin
 * (a,b)`, `k>3`), parsed the way apimachinery's `labels.Parse` does and matched with its
 * semantics.
 */

export type Requirement =
  | { key: string; op: 'exists' | 'notexists' }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'gt' | 'lt'; value: number };

const namePart = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function keyError(key: string): string | null {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : null;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== null && (prefix.length === 0 || prefix.length > 253 || !dnsSubdomain.test(prefix))) return `“${key}”: the prefix must be a DNS subdomain`;
  if (name.length === 0 || name.length > 63 || !namePart.test(name)) return `“${key}” is not a label key`;
  return null;
}

function valueError(value: string): string | null {
  if (value === '') return null;
  return value.length <= 63 && namePart.test(value) ? null : `“${value}” is not a label value`;
}

type Token = { kind: 'word'; text: string } | { kind: 'op'; text: '=' | '==' | '!=' | '!' | '(' | ')' | ',' | '>' | '<' };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '==' || two === '!=') {
      tokens.push({ kind: 'op', text: two });
      i += 2;
      continue;
    }
    if ('=!(),<>'.includes(c)) {
      tokens.push({ kind: 'op', text: c as '=' });
      i++;
      continue;
    }
    let j = i;
    while (j < text.length && !/[\s=!(),<>]/.test(text[j]!)) j++;
    tokens.push({ kind: 'word', text: text.slice(i, j) });
    i = j;
  }
  return tokens;
}

/** Parses a label selector the way Kubernetes' `labels.Parse` does; commas are AND. */
export function parseSelector(text: string): { requirements: Requirement[] } | { error: string } {
  const tokens = tokenize(text);
  const requirements: Requirement[] = [];
  let i = 0;
  const peek = () => tokens[i];
  const word = (what: string): string | { error: string } => {
    const token = tokens[i];
    if (token?.kind !== 'word') return { error: `expected ${what}${token ? ` but found “${token.text}”` : ' at the end'}` };
    i++;
    return token.text;
  };
  while (i < tokens.length) {
    let negated = false;
    if (peek()?.text === '!' && peek()?.kind === 'op') {
      negated = true;
      i++;
    }
    const key = word('a label key');
    if (typeof key !== 'string') return key;
    const badKey = keyError(key);
    if (badKey) return { error: badKey };
    const next = peek();
    if (negated) {
      if (next && next.text !== ',') return { error: `“!${key}” takes no operator` };
      requirements.push({ key, op: 'notexists' });
    } else if (!next || next.text === ',') {
      requirements.push({ key, op: 'exists' });
    } else if (next.kind === 'op' && (next.text === '=' || next.text === '==' || next.text === '!=')) {
      i++;
      // `k=` selects an empty value; the value is a word unless the requirement ends here.
      const after = peek();
      let value = '';
      if (after?.kind === 'word') {
        value = after.text;
        i++;
      } else if (after && after.text !== ',') return { error: `expected a value after “${key}${next.text}”` };
      const badValue = valueError(value);
      if (badValue) return { error: badValue };
      requirements.push({ key, op: next.text === '!=' ? 'notin' : 'in', values: [value] });
    } else if (next.kind === 'op' && (next.text === '>' || next.text === '<')) {
      i++;
      const value = word(`a number after “${key}${next.text}”`);
      if (typeof value !== 'string') return value;
      if (!/^-?\d+$/.test(value)) return { error: `“${value}” is not an integer` };
      requirements.push({ key, op: next.text === '>' ? 'gt' : 'lt', value: Number(value) });
    } else if (next.kind === 'word' && (next.text === 'in' || next.text === 'notin')) {
      i++;
      if (peek()?.text !== '(') return { error: `expected “(” after “${key} ${next.text}”` };
      i++;
      const values: string[] = [];
      for (;;) {
        const token = peek();
        if (!token) return { error: 'expected “)”' };
        if (token.kind === 'word') {
          const badValue = valueError(token.text);
          if (badValue) return { error: badValue };
          values.push(token.text);
          i++;
        } else if (token.text === ')' || token.text === ',') {
          // An empty item (`(a,)`) is the empty value, as in Kubernetes.
          const previous = tokens[i - 1];
          if (previous?.text === '(' || previous?.text === ',') values.push('');
          i++;
          if (token.text === ')') break;
        } else return { error: `unexpected “${token.text}” in a value list` };
      }
      requirements.push({ key, op: next.text, values });
    } else {
      return { error: `expected an operator after “${key}” but found “${next.text}”` };
    }
    const separator = peek();
    if (separator) {
      if (separator.text !== ',') return { error: `expected “,” but found “${separator.text}”` };
      i++;
      if (i >= tokens.length) return { error: 'expected a requirement after “,”' };
    }
  }
  if (requirements.length === 0) return { error: 'an empty selector' };
  return { requirements };
}

export function matchesSelector(labels: Readonly<Record<string, string>>, requirements: readonly Requirement[]): boolean {
  return requirements.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const value = has ? labels[r.key]! : undefined;
    switch (r.op) {
      case 'exists':
        return has;
      case 'notexists':
        return !has;
      case 'in':
        return value !== undefined && r.values.includes(value);
      case 'notin':
        return value === undefined || !r.values.includes(value);
      case 'gt':
      case 'lt': {
        if (value === undefined || !/^-?\d+$/.test(value)) return false;
        return r.op === 'gt' ? Number(value) > r.value : Number(value) < r.value;
      }
    }
  });
}

export function requirementText(r: Requirement): string {
  switch (r.op) {
    case 'exists':
      return r.key;
    case 'notexists':
      return `!${r.key}`;
    case 'in':
    case 'notin':
      return r.values.length === 1 ? `${r.key}${r.op === 'in' ? '=' : '!='}${r.values[0]}` : `${r.key} ${r.op} (${r.values.join(',')})`;
    case 'gt':
    case 'lt':
      return `${r.key}${r.op === 'gt' ? '>' : '<'}${r.value}`;
  }
}
