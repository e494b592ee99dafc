import { describe, expect, test } from 'vitest';
import { whatIfFromText } from './trace-request.ts';

const policy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-all
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress]
`;

describe('what-if policies pasted into the trace panel', () => {
  test('a NetworkPolicy is read, and anything else is named as ignored', () => {
    const read = whatIfFromText(`${policy}---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n`);
    expect(read.policies.map((p) => p.name)).toEqual(['deny-all']);
    expect(read.problems).toEqual(['Deployment shop/web ignored: only NetworkPolicies change a trace']);
  });

  test('a syntax error says where, by line and column', () => {
    const read = whatIfFromText('kind: NetworkPolicy\nmetadata: {name: x\n');
    expect(read.policies).toEqual([]);
    expect(read.problems.length).toBeGreaterThan(0);
    expect(read.problems[0]).toMatch(/^Not valid YAML or JSON: line \d+, column \d+: /);
  });

  test('a "billion laughs" document is refused, not expanded', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    const read = whatIfFromText(lines.join('\n'));
    expect(read.policies).toEqual([]);
    expect(read.problems).toHaveLength(1);
    expect(read.problems[0]).toMatch(/^Not valid YAML or JSON: line 1, column 1: .*alias/i);
  });

  test('empty text asks for nothing', () => {
    expect(whatIfFromText('  \n')).toEqual({ policies: [], problems: [] });
  });
});
