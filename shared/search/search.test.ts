import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { emptyTopology, type Host, type PodRecord, type ServiceRecord, type Topology } from '../model/types.ts';
import { parseSnapshot } from '../snapshot/format.ts';
import { derive } from '../topology/derive.ts';
import { queryForm, search } from './search.ts';

const demoFile = parseSnapshot(readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));
const demo = derive(demoFile.objects, demoFile.source);

const pods = Object.values(demo.pods);
const podNetworkPod = pods.find((p) => !p.isHostNetwork && p.ips.length === 1 && pods.filter((q) => q.ips.includes(p.ips[0]!)).length === 1)!;

function pod(name: string, namespace: string, ip: string | null, labels: Record<string, string>, extra: Partial<PodRecord> = {}): PodRecord {
  return {
    id: `pod:${namespace}-${name}`,
    kind: 'pod',
    uid: `${namespace}-${name}`,
    name,
    namespace,
    host: 'node:n1',
    isHostNetwork: false,
    ips: ip ? [ip] : [],
    phase: 'Running',
    isReady: true,
    labels,
    owner: null,
    containers: [],
    veth: null,
    netns: null,
    ...extra,
  };
}

function service(name: string, namespace: string, clusterIP: string, extra: Partial<ServiceRecord> = {}): ServiceRecord {
  return {
    id: `svc:${namespace}/${name}`,
    kind: 'service',
    name,
    namespace,
    type: 'ClusterIP',
    clusterIPs: [clusterIP],
    isHeadless: false,
    ports: [],
    selector: null,
    externalIPs: [],
    loadBalancerIngress: [],
    externalName: null,
    externalTrafficPolicy: null,
    internalTrafficPolicy: 'Cluster',
    sessionAffinity: 'None',
    labels: {},
    ...extra,
  };
}

/** Two nodes, a handful of pods and Services, one of each kind of address. */
function small(): Topology {
  const t = emptyTopology({ ...demo.cluster, podCIDRs: ['10.1.0.0/16', 'fd00:10:1::/56'] });
  const host = (name: string, ip: string, podCIDR: string, labels: Record<string, string>): Host => ({
    id: `node:${name}`,
    kind: 'host',
    name,
    internalIPs: [ip],
    externalIPs: [],
    podCIDRs: [podCIDR],
    isReady: true,
    zone: null,
    labels,
    kubeletVersion: null,
    devices: [],
    cniPodCIDRs: [],
    cniPodCIDRsEvidence: '',
    datapathIPs: [ip],
    routes: [],
  });
  t.hosts = {
    'node:n1': { ...host('n1', '192.168.5.11', '10.1.1.0/24', { 'kubernetes.io/hostname': 'n1', zone: 'a' }), externalIPs: ['198.18.0.11'] },
    'node:n2': host('n2', '192.168.5.12', '10.1.2.0/24', { 'kubernetes.io/hostname': 'n2', zone: 'b', gpu: 'true' }),
  };
  t.devices = {
    'dev:n1/uplink': { id: 'dev:n1/uplink', kind: 'device', host: 'node:n1', type: 'uplink', role: 'uplink', name: null, nameProvenance: 'unknown', addresses: ['192.168.5.11/24'], evidence: '' },
    'dev:n1/bridge': { id: 'dev:n1/bridge', kind: 'device', host: 'node:n1', type: 'bridge', role: 'bridge', name: 'cni0', nameProvenance: 'inferred', addresses: ['10.1.1.1/24'], evidence: '' },
  };
  for (const p of [
    pod('web-1', 'shop', '10.1.1.5', { app: 'web', tier: 'front', version: '3' }),
    pod('web-2', 'shop', '10.1.2.6', { app: 'web', tier: 'front', version: '10' }),
    pod('db-0', 'shop', '10.1.2.7', { app: 'db', tier: 'db' }),
    pod('cache', 'shop', null, { app: 'cache' }),
    pod('v6', 'lab', 'fd00:10:1::7', { app: 'v6' }),
    pod('agent', 'kube-system', '192.168.5.12', { app: 'agent' }, { isHostNetwork: true, host: 'node:n2' }),
    pod('web', 'other', '10.1.1.9', { app: 'web' }),
  ]) {
    t.pods[p.id] = p;
  }
  for (const s of [
    service('web', 'shop', '10.96.0.20', { labels: { app: 'web' } }),
    service('lb', 'shop', '10.96.0.30', { type: 'LoadBalancer', loadBalancerIngress: ['198.51.100.10'], externalIPs: ['198.51.100.20'] }),
  ]) {
    t.services[s.id] = s;
  }
  t.ingresses['ing:shop/main'] = { id: 'ing:shop/main', kind: 'ingress', name: 'main', namespace: 'shop', className: 'nginx', controller: null, rules: [], loadBalancerIngress: ['198.51.100.40'], tlsHosts: [] };
  t.gateways['gw:shop/edge'] = { id: 'gw:shop/edge', kind: 'gateway', name: 'edge', namespace: 'shop', className: 'cilium', listeners: [], addresses: ['198.51.100.50'], service: null, pods: [], evidence: '' };
  return t;
}

const ids = (results: { id: string }[]) => results.map((r) => r.id);

describe('queryForm', () => {
  test.each([
    ['', 'empty'],
    ['10.244.1.5', 'ip'],
    ['fd00::1', 'ip'],
    ['10.244.0.0/16', 'cidr'],
    ['app=web', 'selector'],
    ['!app', 'selector'],
    ['app in (a,b)', 'selector'],
    ['app,tier', 'selector'],
    ['web', 'text'],
    ['shop/web', 'text'],
    ['10', 'text'],
    ['10.244.1.', 'text'],
  ])('%j is %s', (query, form) => expect(queryForm(query)).toBe(form));
});

describe('search on a small hand-made cluster', () => {
  const t = small();

  test('plain text: case-insensitive substring, exact name first', () => {
    const results = search(t, 'WEB');
    expect(ids(results).slice(0, 2)).toEqual(['pod:other-web', 'svc:shop/web']);
    expect(results.slice(0, 2).map((r) => r.reason)).toEqual(['exact name', 'exact name']);
    expect(ids(results)).toEqual(expect.arrayContaining(['pod:shop-web-1', 'pod:shop-web-2']));
    expect(results.find((r) => r.id === 'pod:shop-web-1')?.reason).toBe('name starts with it');
  });

  test('namespace/name: the exact match first, then the rest of the namespace', () => {
    const results = search(t, 'shop/web');
    expect(results[0]).toMatchObject({ id: 'svc:shop/web', reason: 'exact name' });
    expect(ids(results)).toEqual(['svc:shop/web', 'pod:shop-web-1', 'pod:shop-web-2']);
    expect(ids(search(t, 'shop/'))).toContain('pod:shop-db-0');
    expect(ids(search(t, 'shop/'))).not.toContain('pod:other-web');
  });

  test('a namespace name finds what is in it', () => {
    expect(ids(search(t, 'kube-system'))).toEqual(['pod:kube-system-agent']);
  });

  test('a bare label key finds what carries it, after names', () => {
    expect(ids(search(t, 'gpu'))).toEqual(['node:n2']);
    expect(search(t, 'gpu')[0]?.reason).toBe('has label gpu');
  });

  test('a partial address finds addresses starting with it', () => {
    expect(ids(search(t, '10.1.2.'))).toEqual(['pod:shop-db-0', 'pod:shop-web-2']);
  });

  test('label selectors over pods, Services and nodes', () => {
    expect(ids(search(t, 'app=web,tier!=db')).sort()).toEqual(['pod:other-web', 'pod:shop-web-1', 'pod:shop-web-2', 'svc:shop/web'].sort());
    expect(ids(search(t, 'app=web,tier')).sort()).toEqual(['pod:shop-web-1', 'pod:shop-web-2']);
    expect(ids(search(t, 'app,!tier')).sort()).toEqual(['pod:kube-system-agent', 'pod:lab-v6', 'pod:other-web', 'pod:shop-cache', 'svc:shop/web'].sort());
    expect(ids(search(t, 'tier in (db, cache)'))).toEqual(['pod:shop-db-0']);
    expect(ids(search(t, 'zone notin (a)'))).toContain('node:n2');
    expect(ids(search(t, 'zone notin (a)'))).not.toContain('node:n1');
    expect(ids(search(t, 'version>5'))).toEqual(['pod:shop-web-2']);
    expect(search(t, 'app=web')[0]?.reason).toBe('labels match app=web');
  });

  test('a broken selector says why, and selects nothing', () => {
    const [result, ...rest] = search(t, 'app in (web');
    expect(rest).toEqual([]);
    expect(result).toMatchObject({ kind: 'invalid', reason: 'expected “)”' });
  });

  test.each([
    ['10.1.1.5', 'pod:shop-web-1', 'pod IP'],
    ['fd00:10:1:0::7', 'pod:lab-v6', 'pod IP'],
    ['10.96.0.20', 'svc:shop/web', 'ClusterIP of svc shop/web'],
    ['198.51.100.10', 'svc:shop/lb', 'LoadBalancer address of svc shop/lb'],
    ['198.51.100.20', 'svc:shop/lb', 'external IP of svc shop/lb'],
    ['198.51.100.40', 'ing:shop/main', 'LoadBalancer address of ingress shop/main'],
    ['198.51.100.50', 'gw:shop/edge', 'address of gateway shop/edge'],
    ['198.18.0.11', 'node:n1', 'node ExternalIP'],
    ['10.1.1.1', 'dev:n1/bridge', 'address of cni0 on node n1'],
  ])('IP %s is %s (%s)', (ip, id, reason) => {
    expect(search(t, ip)).toEqual([expect.objectContaining({ id, reason })]);
  });

  test('a node IP shared by hostNetwork pods: the node first, then the pods', () => {
    const results = search(t, '192.168.5.12');
    expect(results.map((r) => [r.id, r.reason])).toEqual([
      ['node:n2', 'node InternalIP'],
      ['pod:kube-system-agent', 'pod IP (hostNetwork: the node’s own address)'],
    ]);
  });

  test.each([
    ['10.1.1.200', 'in 10.1.1.0/24 (pod range of node n1) but no pod has it'],
    ['10.1.9.9', 'in 10.1.0.0/16 (cluster pod CIDR) but no pod has it'],
    ['fd00:10:1::99', 'in fd00:10:1::/56 (cluster pod CIDR) but no pod has it'],
    ['192.168.5.99', 'in the nodes’ network (192.168.5.11/24 on n1) but no node has it'],
    ['8.8.8.8', 'outside the cluster (no pod, node or Service has it)'],
    ['172.31.0.1', 'outside the cluster (a private address, not in any pod, node or Service range)'],
  ])('IP %s belongs to nothing: %s', (ip, reason) => {
    expect(search(t, ip)).toEqual([{ id: `ip:${ip}`, kind: 'ip', title: ip, subtitle: 'no element of the cluster has this address', reason }]);
  });

  test('the Service CIDR, when known, explains an unused ClusterIP', () => {
    expect(search(t, '10.96.0.99', { serviceCIDRs: ['10.96.0.0/12'] })[0]?.reason).toBe('in 10.96.0.0/12 (Service CIDR) but no Service has it');
    expect(search(t, '10.96.0.99')[0]?.reason).toContain('outside the cluster');
  });

  test('a CIDR finds everything with an address in it', () => {
    expect(ids(search(t, '10.1.2.0/24')).sort()).toEqual(['pod:shop-db-0', 'pod:shop-web-2']);
    expect(ids(search(t, '198.51.100.0/24')).sort()).toEqual(['gw:shop/edge', 'ing:shop/main', 'svc:shop/lb']);
    expect(search(t, '10.96.0.20/30')).toEqual([expect.objectContaining({ id: 'svc:shop/web', reason: 'ClusterIP of svc shop/web 10.96.0.20 is in 10.96.0.20/30' })]);
    expect(search(t, '203.0.113.0/24')).toEqual([expect.objectContaining({ kind: 'ip', reason: 'nothing in the cluster has an address in it' })]);
  });

  test('results are capped', () => {
    expect(search(t, '10.0.0.0/8', { limit: 3 })).toHaveLength(3);
  });
});

describe('search on the demo cluster', () => {
  test('a pod IP finds exactly that pod', () => {
    expect(search(demo, podNetworkPod.ips[0]!)).toEqual([expect.objectContaining({ id: podNetworkPod.id, kind: 'pod', reason: 'pod IP', title: `${podNetworkPod.namespace}/${podNetworkPod.name}` })]);
  });

  test('a node InternalIP finds the node first, then its hostNetwork pods', () => {
    const host = Object.values(demo.hosts)[0]!;
    const results = search(demo, host.internalIPs[0]!);
    expect(results[0]).toMatchObject({ id: host.id, reason: 'node InternalIP' });
    const hostNetwork = pods.filter((p) => p.isHostNetwork && p.ips.includes(host.internalIPs[0]!));
    expect(hostNetwork.length).toBeGreaterThan(0);
    for (const p of hostNetwork) expect(ids(results)).toContain(p.id);
  });

  test('every ClusterIP and LoadBalancer address is found', () => {
    for (const s of Object.values(demo.services)) {
      for (const ip of s.clusterIPs) expect(search(demo, ip)[0]).toMatchObject({ id: s.id, reason: `ClusterIP of svc ${s.namespace}/${s.name}` });
      for (const ip of s.loadBalancerIngress) expect(search(demo, ip).map((r) => r.reason)).toContain(`LoadBalancer address of svc ${s.namespace}/${s.name}`);
    }
    const lb = Object.values(demo.ingresses).flatMap((i) => i.loadBalancerIngress);
    expect(lb.length).toBeGreaterThan(0);
    expect(search(demo, lb[0]!).map((r) => r.kind)).toContain('ingress');
  });

  test('addresses nobody owns', () => {
    const host = Object.values(demo.hosts).find((h) => h.podCIDRs.length > 0)!;
    const unused = ['200', '201', '250'].map((last) => host.podCIDRs[0]!.replace(/0\/\d+$/, last)).find((ip) => search(demo, ip)[0]?.kind === 'ip')!;
    expect(search(demo, unused)[0]?.reason).toBe(`in ${host.podCIDRs[0]} (pod range of node ${host.name}) but no pod has it`);
    expect(search(demo, '198.51.100.77')).toEqual([expect.objectContaining({ kind: 'ip', reason: 'outside the cluster (no pod, node or Service has it)' })]);
  });

  test('the pod CIDR lists every pod-network pod, capped at 50', () => {
    const cidr = demo.cluster.podCIDRs[0]!;
    const results = search(demo, cidr);
    const inNetwork = pods.filter((p) => !p.isHostNetwork && p.ips.length > 0);
    expect(results.length).toBe(Math.min(50, new Set([...inNetwork.map((p) => p.id), ...results.map((r) => r.id)]).size));
    expect(results[0]?.kind).toBe('pod');
  });

  test('selectors and names on the demo', () => {
    const byLabel = search(demo, 'k8s-app=kube-dns');
    expect(byLabel.length).toBeGreaterThan(1);
    expect(byLabel.every((r) => r.kind === 'pod' || r.kind === 'service')).toBe(true);
    expect(search(demo, `${podNetworkPod.namespace}/${podNetworkPod.name}`)[0]?.id).toBe(podNetworkPod.id);
  });
});

describe('search reads what a trace end reads (shared/trace/endpoints.ts)', () => {
  const first = (query: string) => search(demo, query)[0];

  test('ns/pod:port, ns/pod:container and svc/ns/name:port find the pod or Service, without the port', () => {
    expect(first('shop/db-0:5432')).toMatchObject({ kind: 'pod', title: 'shop/db-0', reason: 'pod shop/db-0, port 5432' });
    expect(first('shop/db-0:postgres')).toMatchObject({ title: 'shop/db-0', reason: 'pod shop/db-0, container postgres' });
    expect(first('svc/shop/db:5432')).toMatchObject({ id: 'svc:shop/db', reason: 'names it as a trace end' });
    expect(first('svc/kube-system/kube-dns:dns')).toMatchObject({ id: 'svc:kube-system/kube-dns' });
    expect(first('10.96.139.244:80')).toMatchObject({ id: 'svc:shop/backend' });
    expect(first('backend.shop')).toMatchObject({ id: 'svc:shop/backend' });
  });

  test("a workload's name: the exact names first, then the pod a trace from it would pick, saying why", () => {
    const results = search(demo, 'shop/db');
    expect(results.slice(0, 2).map((r) => [r.title, r.reason])).toEqual([
      ['shop/db', 'exact name'],
      ['shop/db-0', 'shop/db → pod shop/db-0, 1 of 3 ready pods of StatefulSet db'],
    ]);
    expect(search(demo, 'kube-system/kube-proxy:10256')[0]).toMatchObject({ kind: 'pod', title: 'kube-system/kube-proxy-7mq8x' });
    // With a port: the Service a trace goes to, and the pod a trace from the workload would start at.
    expect(search(demo, 'shop/db:5432').map((r) => [r.title, r.reason])).toEqual([
      ['shop/db-0', 'shop/db → pod shop/db-0, 1 of 3 ready pods of StatefulSet db'],
      ['shop/db', 'names it as a trace end'],
    ]);
  });

  test('what names nothing finds nothing; a port name the element lacks still finds the element; text that is no end keeps its own results', () => {
    expect(search(demo, 'shop/nothing:5432')).toEqual([]);
    expect(ids(search(demo, 'svc/shop/db:pg'))).toEqual(['svc:shop/db']);
    expect(search(demo, 'kube-system/kube-').every((r) => r.reason === 'name starts with it')).toBe(true);
  });
});
