// The graph's right-click menu: which actions each kind of element offers, on the demo cluster.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { Topology } from '../../shared/model/types.ts';
import { parseSnapshot } from '../../shared/snapshot/format.ts';
import { derive } from '../../shared/topology/derive.ts';
import { graphElementById } from '../graph/element-lookup.ts';
import { contextMenuItems, type MenuItem } from './ContextMenu.tsx';

const demo: Topology = (() => {
  const snapshot = parseSnapshot(readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'), 'demo-cluster.podpath.json');
  return derive(snapshot.objects, snapshot.source);
})();

const itemsOf = (id: string): MenuItem[][] => contextMenuItems(demo, id, graphElementById(demo, 'node', id));
const lines = (groups: MenuItem[][]): string[] => groups.map((group) => group.map((item) => `${item.label}${item.value ? ` ${item.value}` : ''}`).join(' | '));

describe('contextMenuItems', () => {
  test('a pod: trace from and to it, details, its name and IP, its namespace and node', () => {
    const pod = Object.values(demo.pods).find((p) => p.name === 'db-0')!;
    expect(lines(itemsOf(pod.id))).toEqual([
      'Trace from here shop/db-0 | Trace to here shop/db-0',
      'Details',
      'Copy name shop/db-0 | Copy IP 10.244.1.5',
      'Show only this namespace shop | Show only this node demo-worker-1',
    ]);
    const [trace, details, copy, only] = itemsOf(pod.id);
    expect(trace![0]!.action).toEqual({ kind: 'trace', change: { from: 'shop/db-0' } });
    expect(trace![1]!.action).toEqual({ kind: 'trace', change: { to: 'shop/db-0' } });
    expect(details![0]!.action).toEqual({ kind: 'select', id: pod.id });
    expect(copy![1]!.action).toEqual({ kind: 'copy', text: '10.244.1.5' });
    expect(only!.map((item) => item.action)).toEqual([
      { kind: 'filter', change: { namespaces: ['shop'] } },
      { kind: 'filter', change: { nodes: ['demo-worker-1'] } },
    ]);
  });

  test('a Service: its ClusterIP and namespace, no node', () => {
    expect(lines(itemsOf('svc:kube-system/kube-dns'))).toEqual([
      'Trace from here svc/kube-system/kube-dns | Trace to here svc/kube-system/kube-dns',
      'Details',
      'Copy name kube-system/kube-dns | Copy ClusterIP 10.96.0.10',
      'Show only this namespace kube-system',
    ]);
  });

  test('a node: its name and InternalIP, and only it', () => {
    const groups = lines(itemsOf('node:demo-worker-2'));
    expect(groups.slice(1)).toEqual(['Details', 'Copy name demo-worker-2 | Copy InternalIP 172.18.0.4', 'Show only this node demo-worker-2']);
  });

  test("a node, where datapath reads are offered: read it or every node; unavailable ones say why; no other element offers them", () => {
    const live = contextMenuItems(demo, 'node:demo-worker-2', graphElementById(demo, 'node', 'node:demo-worker-2'), { unavailable: null });
    const read = live.find((group) => group.some((item) => item.action.kind === 'readDatapath'))!;
    expect(read.map((item) => [item.label, item.value, item.action, item.unavailable])).toEqual([
      ["Read this node's datapath", 'demo-worker-2', { kind: 'readDatapath', target: ['demo-worker-2'] }, undefined],
      ["Read every node's datapath", undefined, { kind: 'readDatapath', target: 'all' }, undefined],
    ]);
    const snapshot = contextMenuItems(demo, 'node:demo-worker-2', graphElementById(demo, 'node', 'node:demo-worker-2'), { unavailable: 'a snapshot' });
    expect(snapshot.flat().filter((item) => item.action.kind === 'readDatapath').map((item) => item.unavailable)).toEqual(['a snapshot', 'a snapshot']);
    const pod = Object.values(demo.pods).find((p) => p.name === 'db-0')!;
    expect(contextMenuItems(demo, pod.id, graphElementById(demo, 'node', pod.id), { unavailable: null }).flat().some((item) => item.action.kind === 'readDatapath')).toBe(false);
  });

  test("a device: its interface name and its node; a pod without a node has no node to show", () => {
    expect(lines(itemsOf('dev:demo-worker-1/bridge')).slice(-2)).toEqual(['Copy name cni0', 'Show only this node demo-worker-1']);
    const pending = Object.values(demo.pods).find((p) => p.host === null)!;
    expect(lines(itemsOf(pending.id)).at(-1)).toBe('Show only this namespace shop');
  });

  test('an element that stands for nothing in the model (a fold of the unscheduled pods) offers its details only', () => {
    expect(lines(contextMenuItems(demo, 'group:unscheduled', graphElementById(demo, 'node', 'group:unscheduled')))).toEqual(['Details']);
  });
});
