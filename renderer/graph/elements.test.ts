import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { emptyObjects } from '../../shared/kube/objects.ts';
import type { Topology } from '../../shared/model/types.ts';
import { parseSnapshot } from '../../shared/snapshot/format.ts';
import { derive } from '../../shared/topology/derive.ts';
import { unscheduledGroupId, type GraphEdgeData, type GraphElement, type GraphNodeData } from './element-types.ts';
import { calicoVethName } from '../../shared/topology/naming.ts';
import { toGraphElements } from './elements.ts';
import { reversedKeys, sampleTopology } from './testing/sample-topology.ts';

const demoUrl = new URL('../../assets/demo-cluster.podpath.json', import.meta.url);

function demoTopology(): Topology {
  const snapshot = parseSnapshot(readFileSync(demoUrl, 'utf8'), 'demo-cluster.podpath.json');
  return derive(snapshot.objects, snapshot.source);
}

function split(elements: GraphElement[]): { nodes: Map<string, GraphNodeData & { classes: string[] }>; edges: (GraphEdgeData & { classes: string[] })[] } {
  const nodes = new Map<string, GraphNodeData & { classes: string[] }>();
  const edges: (GraphEdgeData & { classes: string[] })[] = [];
  for (const e of elements) {
    if (e.group === 'nodes') nodes.set(e.data.id, { ...e.data, classes: e.classes });
    else edges.push({ ...e.data, classes: e.classes });
  }
  return { nodes, edges };
}

/** Invariants that hold for any topology. */
function checkInvariants(topology: Topology): void {
  const elements = toGraphElements(topology);
  const { nodes, edges } = split(elements);

  const ids = elements.map((e) => e.data.id);
  expect(new Set(ids).size, 'element ids are unique').toBe(ids.length);

  for (const node of nodes.values()) {
    if (node.parent) expect(nodes.has(node.parent), `parent of ${node.id} exists`).toBe(true);
  }
  for (const edge of edges) {
    expect(nodes.has(edge.source), `source of ${edge.id}`).toBe(true);
    expect(nodes.has(edge.target), `target of ${edge.id}`).toBe(true);
  }

  for (const pod of Object.values(topology.pods)) {
    const drawn = nodes.get(pod.id);
    expect(drawn, `pod ${pod.name} is drawn`).toBeDefined();
    const scheduled = pod.host !== null && topology.hosts[pod.host] !== undefined;
    expect(drawn!.parent, `pod ${pod.name} sits in its host`).toBe(scheduled ? pod.host : unscheduledGroupId);
    for (const containerId of pod.containers) expect(nodes.get(containerId)?.parent, `container ${containerId} in its pod`).toBe(pod.id);
  }

  const vethEdges = edges.filter((e) => e.kind === 'veth');
  const podsWithVeth = Object.values(topology.pods).filter(
    (p) => !p.isHostNetwork && p.host !== null && topology.hosts[p.host] !== undefined && p.veth !== null && topology.veths[p.veth] !== undefined,
  );
  expect(vethEdges.map((e) => e.target).sort()).toEqual(podsWithVeth.map((p) => p.id).sort());
  for (const edge of vethEdges) {
    const pod = topology.pods[edge.target]!;
    expect(nodes.get(edge.source)?.parent, `veth of ${pod.name} ends in the pod's host`).toBe(pod.host);
  }

  for (const edge of edges.filter((e) => e.kind === 'endpoint')) {
    const endpoint = topology.endpoints[edge.id]!;
    const expected = endpoint.isTerminating ? 'terminating' : endpoint.isReady ? 'ready' : 'not-ready';
    expect(edge.classes).toContain(expected);
    expect(edge.source).toBe(endpoint.service);
    expect(edge.target).toBe(endpoint.pod);
  }
}

describe('toGraphElements on the sample topology', () => {
  const topology = sampleTopology();
  const elements = toGraphElements(topology);
  const { nodes, edges } = split(elements);

  test('invariants', () => checkInvariants(topology));

  test('hosts are labelled with name, addresses and podCIDR', () => {
    expect(nodes.get('node:node-a')?.label).toBe('node-a\nInternalIP 172.18.0.2\npodCIDR 10.244.1.0/24');
    expect(nodes.get('node:node-b')?.label).toContain('ExternalIP 203.0.113.7');
  });

  test('devices show their names and addresses; inferred names are marked', () => {
    expect(nodes.get('dev:node-a/bridge')?.label).toBe('cni0 10.244.1.1/24\nbridge');
    expect(nodes.get('dev:node-a/bridge')?.classes).toContain('name-inferred');
    expect(nodes.get('dev:node-a/tunnel')?.label).toBe('flannel.1 VXLAN VNI 1\ntunnel · UDP 8472');
    expect(nodes.get('dev:node-a/uplink')?.label).toBe('uplink\n172.18.0.2');
  });

  test('pods are labelled with name and IP, or "no IP"; hostNetwork pods say so', () => {
    expect(nodes.get('pod:uid-frontend-1')?.label).toBe('frontend-1\n10.244.1.5');
    expect(nodes.get('pod:uid-report-7f9c')?.label).toBe('report-7f9c\nno IP · Pending');
    const proxy = nodes.get('pod:uid-kube-proxy-a')!;
    expect(proxy.parent).toBe('node:node-a');
    expect(proxy.classes).toContain('host-network');
    expect(proxy.slot).toBe('hostnet');
    expect(proxy.label).toBe('kube-proxy-a\nhost network · 172.18.0.2');
  });

  test('pods are coloured by namespace, the same colour for the same namespace', () => {
    expect(nodes.get('pod:uid-frontend-1')?.color).toBe(nodes.get('pod:uid-db-0')?.color);
    expect(nodes.get('pod:uid-frontend-1')?.color).not.toBe(nodes.get('pod:uid-kube-proxy-a')?.color);
  });

  test('init and sidecar containers are marked', () => {
    expect(nodes.get('ctr:uid-frontend-1/wait-db')?.classes).toContain('role-init');
    expect(nodes.get('ctr:uid-frontend-1/wait-db')?.label).toBe('init: wait-db');
    expect(nodes.get('ctr:uid-frontend-2/envoy')?.classes).toContain('role-sidecar');
    expect(nodes.get('ctr:uid-frontend-2/web')?.label).toBe('web  :8080');
  });

  test('veth edges run from the bridge, labelled with the host-end name or veth?', () => {
    const known = edges.find((e) => e.id === 'veth:uid-frontend-1')!;
    expect(known).toMatchObject({ source: 'dev:node-a/bridge', target: 'pod:uid-frontend-1', label: 'veth1a2b3c4d' });
    expect(known.classes).toContain('veth-observed');
    const unknown = edges.find((e) => e.id === 'veth:uid-backend-1')!;
    expect(unknown.label).toBe('veth?');
    expect(unknown.classes).toContain('veth-unknown');
    expect(edges.some((e) => e.target === 'pod:uid-kube-proxy-a' && e.kind === 'veth')).toBe(false);
    expect(edges.some((e) => e.target === 'pod:uid-report-7f9c' && e.kind === 'veth')).toBe(false);
  });

  test('one tunnel edge between the two nodes', () => {
    const tunnels = edges.filter((e) => e.kind === 'tunnel');
    expect(tunnels).toHaveLength(1);
    expect(tunnels[0]).toMatchObject({ source: 'dev:node-a/tunnel', target: 'dev:node-b/tunnel', label: 'VXLAN', span: 1 });
    // A chain through the hosts, not the n(n-1)/2 mesh: n-1 edges, each to the next host.
    const four = split(toGraphElements(sampleTopology({ nodes: 4 }))).edges.filter((e) => e.kind === 'tunnel');
    expect(four).toHaveLength(3);
    expect(four.every((e) => e.span === 1)).toBe(true);
  });

  test('Services outside the hosts, grouped by namespace, with ClusterIP or headless and ports', () => {
    const frontend = nodes.get('svc:shop/frontend')!;
    expect(frontend.parent).toBe('group:services/shop');
    expect(frontend.label).toBe('frontend\nLoadBalancer · 10.96.0.10\n80→http/TCP :30080');
    expect(nodes.get('svc:shop/db')?.label).toBe('db\nheadless\n80→http/TCP');
  });

  test('endpoint edges are classed ready, not-ready and terminating', () => {
    const state = (id: string): string[] => edges.find((e) => e.id === id)!.classes;
    expect(state('ep:shop/frontend/10.244.1.5')).toContain('ready');
    expect(state('ep:shop/frontend/10.244.2.5')).toContain('terminating');
    expect(state('ep:shop/backend/10.244.2.6')).toContain('not-ready');
  });

  test('the Internet reaches the LoadBalancer (labelled with its address) and the Ingress; the Ingress its backend', () => {
    expect(edges.find((e) => e.id === 'expose:svc:shop/frontend')).toMatchObject({ source: 'ext:internet', label: '198.51.100.10' });
    expect(edges.find((e) => e.id === 'expose:ing:shop/shop')).toMatchObject({ source: 'ext:internet', label: '198.51.100.20' });
    expect(edges.find((e) => e.kind === 'backend')).toMatchObject({ source: 'ing:shop/shop', target: 'svc:shop/frontend' });
    expect(edges.some((e) => e.kind === 'exposure' && e.target === 'svc:shop/backend')).toBe(false);
  });

  test('pods on nodes the view does not hold are not called unscheduled', () => {
    const label = (t: Topology) => (toGraphElements(t).find((e) => e.data.id === unscheduledGroupId)?.data as GraphNodeData).label;
    expect(label(topology)).toBe('Unscheduled · 1 pod');
    // Nodes forbidden: every pod is outside a host box, most of them scheduled.
    const withoutNodes: Topology = { ...topology, hosts: {}, devices: {} };
    expect(label(withoutNodes)).toBe('Unscheduled or on nodes not shown · 7 pods');
    const scheduledOnly: Topology = { ...withoutNodes, pods: Object.fromEntries(Object.entries(topology.pods).filter(([, p]) => p.host)) };
    expect(label(scheduledOnly)).toMatch(/^On nodes not shown · \d+ pods$/);
  });

  test('deterministic: the same elements whatever the order of the input', () => {
    expect(toGraphElements(reversedKeys(topology))).toEqual(elements);
    expect(toGraphElements(sampleTopology())).toEqual(elements);
  });
});

describe('toGraphElements on a routed CNI', () => {
  const topology = sampleTopology({ routed: true });
  const { nodes, edges } = split(toGraphElements(topology));

  test('invariants', () => checkInvariants(topology));

  test('veths end at the host routes node; no tunnel edges', () => {
    expect(nodes.get('routes:node-a')?.parent).toBe('node:node-a');
    expect(edges.find((e) => e.id === 'veth:uid-frontend-1')).toMatchObject({ source: 'routes:node-a', label: calicoVethName('shop', 'frontend-1') });
    expect(edges.find((e) => e.id === 'veth:uid-frontend-1')?.classes).toContain('veth-inferred');
    expect(edges.filter((e) => e.kind === 'tunnel')).toHaveLength(0);
  });
});

describe('toGraphElements on derived objects', () => {
  test('the demo snapshot', () => {
    const topology = demoTopology();
    checkInvariants(topology);
    expect(toGraphElements(topology).length).toBeGreaterThan(Object.keys(topology.pods).length);
  });

  test('an empty cluster draws nothing: the Internet is drawn only when something is reached from it', () => {
    const topology = derive(emptyObjects());
    expect(topology.external['ext:internet']).toBeDefined();
    checkInvariants(topology);
    expect(toGraphElements(topology).map((e) => e.data.id)).toEqual([]);
  });
});
