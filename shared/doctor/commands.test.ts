/**
 * The doctor's fixes end in commands to paste: names from a hand-made snapshot in them are one sh
 * word each, and one that starts with a dash (`--all`) is never read as an option.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { shellRuns } from '../../test/shell-words.ts';
import type { ClusterObjects } from '../kube/objects.ts';
import { parseSnapshot } from '../snapshot/format.ts';
import { derive } from '../topology/derive.ts';
import { diagnose } from './doctor.ts';
import type { Problem } from './types.ts';

const snapshot = parseSnapshot(readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));

function problemsWith(change: (objects: ClusterObjects) => void): Problem[] {
  const objects = structuredClone(snapshot.objects);
  change(objects);
  return diagnose(derive(objects, snapshot.source));
}

/** The argv sh runs for `command`, which must run nothing else and say nothing. */
function argv(command: string): string[] {
  const [{ runs, errors }] = shellRuns([command]) as [{ runs: string[][]; errors: string }];
  expect(errors).toBe('');
  expect(runs).toHaveLength(1);
  return runs[0]!;
}

const namespace = "team;touch${IFS}/tmp/x;#'";

describe('the commands in the doctor\'s fixes', () => {
  test('a policy that selects nothing, in a namespace and with a name a stranger chose', () => {
    const problems = problemsWith((o) => {
      o.namespaces.push({ metadata: { name: namespace, uid: 'ns-x', labels: { 'kubernetes.io/metadata.name': namespace } } });
      o.pods.push({ metadata: { name: 'web', namespace, uid: 'pod-x', labels: { app: 'web' } }, spec: { nodeName: 'demo-worker-1', containers: [{ name: 'web' }] }, status: { phase: 'Running', podIP: '10.244.1.250', podIPs: [{ ip: '10.244.1.250' }] } });
      o.networkPolicies.push({ metadata: { name: '--all', namespace, uid: 'np-x' }, spec: { podSelector: { matchLabels: { app: 'cart' } }, ingress: [{}] } });
    });
    const fix = problems.find((p) => p.kind === 'policy-selects-nothing' && p.subjectId === `netpol:${namespace}/--all`)!.fix!;
    const [list, remove] = [/\((kubectl get pods [^)]*)\)/.exec(fix)![1]!, fix.slice(fix.lastIndexOf(': ') + 2)];
    expect(argv(list)).toEqual(['kubectl', 'get', 'pods', '-n', namespace, '--show-labels']);
    // `kubectl delete networkpolicy -n … --all` would delete every policy in the namespace.
    expect(argv(remove)).toEqual(['kubectl', 'delete', '-n', namespace, 'networkpolicy/--all']);
  });

  test('a namespaceSelector fixed by the metadata.name label: the YAML and the label command', () => {
    const problems = problemsWith((o) => {
      o.namespaces.push({ metadata: { name: namespace, uid: 'ns-x', labels: { 'kubernetes.io/metadata.name': namespace } } });
      o.networkPolicies.find((p) => p.metadata.name === 'frontend-allow')!.spec.ingress![0]!.from = [{ namespaceSelector: { matchLabels: { name: namespace } } }];
    });
    const fix = problems.find((p) => p.kind === 'policy-peer-matches-nothing')!.fix!;
    expect(fix).toContain(`kubernetes.io/metadata.name: ${JSON.stringify(namespace)}`);
    expect(argv(fix.slice(fix.indexOf('kubectl label')))).toEqual(['kubectl', 'label', 'namespace', namespace, `name=${namespace}`]);
  });

  test('a pod outside its node\'s range, named --all: deleting it deletes only it', () => {
    const problems = problemsWith((o) => {
      const pod = o.pods.find((p) => p.metadata.name.startsWith('echo-'))!;
      pod.metadata.name = '--all';
      pod.status!.podIP = '10.244.99.7';
      pod.status!.podIPs = [{ ip: '10.244.99.7' }];
    });
    const fix = problems.find((p) => p.subject === 'pod/default/--all')?.fix;
    expect(fix).toBeDefined();
    expect(argv(fix!.slice(fix!.lastIndexOf(': ') + 2))).toEqual(['kubectl', '-n', 'default', 'delete', 'pod/--all']);
  });
});
