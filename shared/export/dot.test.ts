import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { internetId } from '../model/types.ts';
import { parseSnapshot } from '../snapshot/format.ts';
import { derive } from '../topology/derive.ts';
import { dotString, toDot } from './dot.ts';

const demoSnapshot = parseSnapshot(readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));
const demo = derive(demoSnapshot.objects, demoSnapshot.source);

/** A small DOT reader: tokens (quoted strings, ids, punctuation), brace balance, declared nodes and edges. */
function parseDot(text: string): { declared: Set<string>; edges: [string, string][]; clusters: string[] } {
  const tokens: { kind: 'str' | 'id' | 'punct'; value: string }[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) i++;
    else if (c === '"') {
      let value = '';
      i++;
      while (text[i] !== '"') {
        if (i >= text.length) throw new Error('unterminated string');
        if (text[i] === '\n') throw new Error('raw line break in a string');
        if (text[i] === '\\') {
          value += text[i + 1];
          i += 2;
        } else value += text[i++];
      }
      i++;
      tokens.push({ kind: 'str', value });
    } else if (text.startsWith('->', i)) {
      tokens.push({ kind: 'punct', value: '->' });
      i += 2;
    } else if ('{}[];=,'.includes(c)) {
      tokens.push({ kind: 'punct', value: c });
      i++;
    } else {
      const match = /^[A-Za-z0-9_.#-]+/.exec(text.slice(i));
      if (!match) throw new Error(`unexpected ${c} at ${i}`);
      tokens.push({ kind: 'id', value: match[0] });
      i += match[0].length;
    }
  }
  let depth = 0;
  let bracket = 0;
  const declared = new Set<string>();
  const edges: [string, string][] = [];
  const clusters: string[] = [];
  for (let t = 0; t < tokens.length; t++) {
    const token = tokens[t]!;
    if (token.value === '{' && token.kind === 'punct') depth++;
    else if (token.value === '}' && token.kind === 'punct') {
      depth--;
      expect(depth).toBeGreaterThanOrEqual(0);
    } else if (token.value === '[' && token.kind === 'punct') bracket++;
    else if (token.value === ']' && token.kind === 'punct') bracket--;
    else if (token.kind === 'id' && token.value === 'subgraph') clusters.push(tokens[t + 1]!.value);
    else if (token.kind === 'str' && bracket === 0 && depth > 0) {
      const next = tokens[t + 1];
      if (next?.value === '->') {
        edges.push([token.value, tokens[t + 2]!.value]);
        t += 2;
      } else if (next?.value === '[') declared.add(token.value);
    }
  }
  expect(depth).toBe(0);
  expect(bracket).toBe(0);
  return { declared, edges, clusters };
}

describe('toDot', () => {
  const text = toDot(demo);
  const parsed = parseDot(text);

  test('is a balanced digraph whose every edge joins declared nodes', () => {
    expect(text.startsWith('digraph ')).toBe(true);
    expect(parsed.edges.length).toBeGreaterThan(10);
    for (const [from, to] of parsed.edges) {
      expect(parsed.declared, `${from} -> ${to}`).toContain(from);
      expect(parsed.declared, `${from} -> ${to}`).toContain(to);
    }
  });

  test('holds a cluster per node and per pod, and the expected labels', () => {
    for (const host of Object.values(demo.hosts)) {
      expect(parsed.clusters).toContain(`cluster_${host.id}`);
      expect(text).toContain(dotString(host.name).slice(1, -1));
    }
    const pod = Object.values(demo.pods).find((p) => !p.isHostNetwork)!;
    expect(parsed.clusters).toContain(`cluster_${pod.id}`);
    expect(text).toContain(`${pod.namespace}/${pod.name}`);
    const service = Object.values(demo.services)[0]!;
    expect(text).toContain(`svc ${service.namespace}/${service.name}`);
    if (Object.keys(demo.ingresses).length > 0) expect(parsed.declared).toContain(internetId);
  });

  test('draws veths, endpoints and Ingress backends', () => {
    const kinds = (prefix: string) => parsed.edges.filter(([from]) => from.startsWith(prefix)).length;
    expect(parsed.edges.some(([, to]) => to.startsWith('dev:'))).toBe(true);
    expect(kinds('svc:')).toBeGreaterThan(0);
    expect(kinds('ing:')).toBe(Object.values(demo.ingresses).reduce((n, i) => n + new Set(i.rules.map((r) => r.service)).size, 0));
  });

  test('escapes quotes, backslashes and line breaks', () => {
    expect(dotString('a "b" \\ c\nd')).toBe('"a \\"b\\" \\\\ c\\nd"');
    const tricky = structuredClone(demo);
    const host = Object.values(tricky.hosts)[0]!;
    host.name = 'evil"} -> x [label="\\';
    expect(() => parseDot(toDot(tricky))).not.toThrow();
  });
});
