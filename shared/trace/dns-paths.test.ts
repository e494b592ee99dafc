/**
 * DNS as real clusters run it (issue 15, Paths): the resolv.conf the kubelet writes (a case table
 * of kubernetes pkg/kubelet/network/dns/dns.go's GetPodDNS), the kubelet's own clusterDNS and
 * clusterDomain where its configz was read, and NodeLocal DNSCache (the objects of kubernetes
 * cluster/addons/dns/nodelocaldns/nodelocaldns.yaml, its __PILLAR__ values substituted as its
 * documentation does), on variants of the bundled demo.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { ClusterObjects, Pod } from '../kube/objects.ts';
import type { PodRecord, Topology } from '../model/types.ts';
import { parseSnapshot } from '../snapshot/format.ts';
import { derive } from '../topology/derive.ts';
import { podResolvConf, type KubeletDns } from './resolv-conf.ts';
import { trace } from './trace.ts';
import type { Trace } from './types.ts';

const snapshot = parseSnapshot(readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));

function demoWith(change: (objects: ClusterObjects) => void): Topology {
  const objects = structuredClone(snapshot.objects);
  change(objects);
  return derive(objects, snapshot.source);
}

const kubelet: KubeletDns = { clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local', isAssumed: false, evidence: '' };
const basePod: PodRecord = {
  id: 'pod:u1',
  kind: 'pod',
  uid: 'u1',
  name: 'p',
  namespace: 'shop',
  host: 'node:n1',
  isHostNetwork: false,
  ips: ['10.244.1.9'],
  phase: 'Running',
  isReady: true,
  labels: {},
  owner: null,
  containers: [],
  veth: null,
  netns: null,
};
const config = (c: Partial<NonNullable<PodRecord['dnsConfig']>>) => ({ nameservers: [], searches: [], options: [], ...c });
const clusterSearch = ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local'];

/** GetPodDNS, case by case (dns.go): policy × hostNetwork × dnsConfig × the kubelet's settings. */
const resolvCases: { name: string; pod: Partial<PodRecord>; kubelet?: Partial<KubeletDns>; want: { kind: string; nameservers: string[]; searches: string[]; ndots: number; notes?: number } }[] = [
  { name: 'ClusterFirst', pod: {}, want: { kind: 'cluster', nameservers: ['10.96.0.10'], searches: clusterSearch, ndots: 5 } },
  { name: 'ClusterFirst on hostNetwork falls back to the node\'s', pod: { isHostNetwork: true }, want: { kind: 'host', nameservers: [], searches: [], ndots: 1 } },
  { name: 'ClusterFirstWithHostNet on hostNetwork', pod: { isHostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }, want: { kind: 'cluster', nameservers: ['10.96.0.10'], searches: clusterSearch, ndots: 5 } },
  { name: 'ClusterFirstWithHostNet without hostNetwork is ClusterFirst', pod: { dnsPolicy: 'ClusterFirstWithHostNet' }, want: { kind: 'cluster', nameservers: ['10.96.0.10'], searches: clusterSearch, ndots: 5 } },
  { name: 'Default', pod: { dnsPolicy: 'Default' }, want: { kind: 'host', nameservers: [], searches: [], ndots: 1 } },
  { name: 'Default with dnsConfig', pod: { dnsPolicy: 'Default', dnsConfig: config({ nameservers: ['1.1.1.1'], searches: ['corp.example'] }) }, want: { kind: 'host', nameservers: ['1.1.1.1'], searches: ['corp.example'], ndots: 1 } },
  { name: 'None: exactly dnsConfig', pod: { dnsPolicy: 'None', dnsConfig: config({ nameservers: ['10.96.0.10'], searches: ['a.example'], options: [{ name: 'ndots', value: '2' }] }) }, want: { kind: 'none', nameservers: ['10.96.0.10'], searches: ['a.example'], ndots: 2 } },
  { name: 'None without options: the resolver default ndots 1', pod: { dnsPolicy: 'None', dnsConfig: config({ nameservers: ['9.9.9.9'] }) }, want: { kind: 'none', nameservers: ['9.9.9.9'], searches: [], ndots: 1 } },
  {
    name: 'ClusterFirst + dnsConfig: appended without duplicates, cut to 3 nameservers',
    pod: { dnsConfig: config({ nameservers: ['10.96.0.10', '1.1.1.1', '8.8.8.8', '9.9.9.9'], searches: ['cluster.local', 'corp.example'] }) },
    want: { kind: 'cluster', nameservers: ['10.96.0.10', '1.1.1.1', '8.8.8.8'], searches: [...clusterSearch, 'corp.example'], ndots: 5, notes: 1 },
  },
  { name: 'dnsConfig ndots overrides the kubelet\'s ndots:5', pod: { dnsConfig: config({ options: [{ name: 'ndots', value: '1' }] }) }, want: { kind: 'cluster', nameservers: ['10.96.0.10'], searches: clusterSearch, ndots: 1 } },
  { name: 'a kubelet without clusterDNS: ClusterFirst falls back to Default', pod: {}, kubelet: { clusterDNS: [] }, want: { kind: 'host', nameservers: [], searches: [], ndots: 1, notes: 1 } },
  { name: 'a kubelet without clusterDomain: no cluster search path', pod: {}, kubelet: { clusterDomain: '' }, want: { kind: 'cluster', nameservers: ['10.96.0.10'], searches: [], ndots: 5 } },
  { name: 'the kubelet\'s own clusterDomain', pod: {}, kubelet: { clusterDomain: 'corp.internal' }, want: { kind: 'cluster', nameservers: ['10.96.0.10'], searches: ['shop.svc.corp.internal', 'svc.corp.internal', 'corp.internal'], ndots: 5 } },
  {
    name: 'more than 32 search domains: the first 32 kept',
    pod: { dnsPolicy: 'None', dnsConfig: config({ nameservers: ['1.1.1.1'], searches: Array.from({ length: 40 }, (_, i) => `d${i}.example`) }) },
    want: { kind: 'none', nameservers: ['1.1.1.1'], searches: Array.from({ length: 32 }, (_, i) => `d${i}.example`), ndots: 1, notes: 1 },
  },
];

describe('the resolv.conf the kubelet writes', () => {
  test.each(resolvCases)('$name', ({ pod, kubelet: k, want }) => {
    const conf = podResolvConf({ ...basePod, ...pod }, { ...kubelet, ...k });
    expect({ kind: conf.kind, nameservers: conf.nameservers, searches: conf.searches, ndots: conf.ndots }).toEqual({ kind: want.kind, nameservers: want.nameservers, searches: want.searches, ndots: want.ndots });
    expect(conf.notes).toHaveLength(want.notes ?? 0);
  });
});

const frontend = 'shop/frontend-855456765f-6r8k4';
const dnsHops = (t: Trace) => (t.dns?.hops ?? []).map((h) => h.label);
const dnsEvidence = (t: Trace) => (t.dns?.hops ?? []).flatMap((h) => h.evidence.map((e) => e.text)).join('\n');

describe('the kubelet\'s clusterDNS and clusterDomain, where its configz was read', () => {
  test('without it, the assumption is said; with it, the node it came from', () => {
    const assumed = trace(demoWith(() => {}), { from: frontend, to: 'backend' });
    expect(dnsEvidence(assumed)).toContain("assumed: the kubelet's clusterDNS is svc kube-system/kube-dns's ClusterIP");
    const read = demoWith((o) => {
      for (const node of o.nodes) node.kubeletConfig = { clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local' };
    });
    const traced = trace(read, { from: frontend, to: 'backend' });
    expect(dnsEvidence(traced)).toContain('the kubelet on demo-worker-1 (its configz): clusterDNS 10.96.0.10, clusterDomain cluster.local');
    expect(dnsEvidence(traced)).not.toContain('assumed: the kubelet');
    expect(traced.dns?.status).toBe('resolved');
  });

  test('a kubelet with another cluster domain: the search path and CoreDNS\'s answer use it', () => {
    const topology = demoWith((o) => {
      for (const node of o.nodes) node.kubeletConfig = { clusterDNS: ['10.96.0.10'], clusterDomain: 'corp.internal' };
    });
    const traced = trace(topology, { from: frontend, to: 'backend' });
    expect(traced.dns?.searches).toEqual(['shop.svc.corp.internal', 'svc.corp.internal', 'corp.internal']);
    expect(traced.dns?.queries[0]).toEqual({ name: 'backend.shop.svc.corp.internal', answer: ['10.96.139.244'] });
  });
});

/** NodeLocal DNSCache as its manifest installs it, with the addresses the documentation uses. */
function withNodeLocalDns(o: ClusterObjects, localip = '169.254.20.10,10.96.0.10', nodes = o.nodes.map((n) => n.metadata.name)): void {
  o.daemonSets.push({
    metadata: { name: 'node-local-dns', namespace: 'kube-system', uid: 'ds-nld', labels: { 'k8s-app': 'node-local-dns' } },
    spec: { template: { spec: { hostNetwork: true, containers: [{ name: 'node-cache', image: 'registry.k8s.io/dns/k8s-dns-node-cache:1.26.4', args: ['-localip', localip, '-conf', '/etc/Corefile', '-upstreamsvc', 'kube-dns-upstream', '-pidfile', '/tmp/node-cache.pid'] }] } } },
    status: { desiredNumberScheduled: 3, numberReady: nodes.length },
  });
  o.configMaps.push({
    metadata: { name: 'node-local-dns', namespace: 'kube-system', uid: 'cm-nld' },
    data: {
      Corefile: [
        'cluster.local:53 {',
        '    errors',
        '    cache {',
        '            success 9984 30',
        '            denial 9984 5',
        '    }',
        '    reload',
        '    loop',
        '    bind 169.254.20.10 10.96.0.10',
        '    forward . __PILLAR__CLUSTER__DNS__ {',
        '            force_tcp',
        '    }',
        '    prometheus :9253',
        '    health 169.254.20.10:8080',
        '    }',
        '.:53 {',
        '    errors',
        '    cache 30',
        '    bind 169.254.20.10 10.96.0.10',
        '    forward . __PILLAR__UPSTREAM__SERVERS__',
        '    }',
        '',
      ].join('\n'),
    },
  });
  o.services.push({
    metadata: { name: 'kube-dns-upstream', namespace: 'kube-system', uid: 'svc-kdu', labels: { 'k8s-app': 'kube-dns' } },
    spec: { type: 'ClusterIP', clusterIP: '10.96.0.11', clusterIPs: ['10.96.0.11'], selector: { 'k8s-app': 'kube-dns' }, ports: [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 }, { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 }] },
  });
  const kubeDnsSlice = o.endpointSlices.find((s) => s.metadata.name.startsWith('kube-dns'));
  if (!kubeDnsSlice) throw new Error('no kube-dns slice');
  o.endpointSlices.push({ ...structuredClone(kubeDnsSlice), metadata: { ...kubeDnsSlice.metadata, name: 'kube-dns-upstream-x1', uid: 'eps-kdu', labels: { 'kubernetes.io/service-name': 'kube-dns-upstream' } } });
  for (const node of nodes) {
    const ip = o.nodes.find((n) => n.metadata.name === node)?.status?.addresses?.[0]?.address ?? '';
    const pod: Pod = {
      metadata: { name: `node-local-dns-${node}`, namespace: 'kube-system', uid: `nld-${node}`, labels: { 'k8s-app': 'node-local-dns' }, ownerReferences: [{ kind: 'DaemonSet', name: 'node-local-dns', uid: 'ds-nld', controller: true }] },
      spec: { nodeName: node, hostNetwork: true, dnsPolicy: 'Default', containers: [{ name: 'node-cache', image: 'registry.k8s.io/dns/k8s-dns-node-cache:1.26.4' }] },
      status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: 'True' }] },
    };
    o.pods.push(pod);
  }
}

/** The demo's shop allows DNS only to the CoreDNS pods; node-cache needs its own address allowed. */
function allowNodeLocal(o: ClusterObjects): void {
  const policy = o.networkPolicies.find((p) => p.metadata.name === 'allow-dns-egress');
  policy?.spec.egress?.[0]?.to?.push({ ipBlock: { cidr: '169.254.20.10/32' } }, { ipBlock: { cidr: '10.96.0.10/32' } });
}

describe('NodeLocal DNSCache', () => {
  test('detected from its DaemonSet and ConfigMap', () => {
    const topology = demoWith(withNodeLocalDns);
    expect(topology.cluster.nodeLocalDns).toMatchObject({ daemonSet: 'kube-system/node-local-dns', localIPs: ['169.254.20.10', '10.96.0.10'], upstreamService: 'kube-system/kube-dns-upstream', isForceTcp: true });
  });

  test('the query stays on the pod\'s node, then goes to CoreDNS over TCP through kube-dns-upstream', () => {
    const topology = demoWith((o) => {
      withNodeLocalDns(o);
      allowNodeLocal(o);
    });
    const traced = trace(topology, { from: frontend, to: 'backend' });
    expect(traced.dns?.status).toBe('resolved');
    const labels = dnsHops(traced);
    expect(labels).toContain('10.96.0.10:53 is NodeLocal DNSCache on node demo-worker-1: node-cache kube-system/node-local-dns-demo-worker-1, hostNetwork — no kube-proxy DNAT');
    expect(labels).toContain('cache miss: node-cache forwards over TCP (its Corefile says force_tcp) to svc kube-system/kube-dns-upstream 10.96.0.11:53, from the node');
    // No kube-proxy rule for kube-dns itself: only kube-dns-upstream's.
    expect(labels.filter((l) => l.includes('svc kube-system/kube-dns '))).toEqual([]);
    expect(traced.dns?.endpoints).toEqual(['ep:kube-system/kube-dns-upstream/10.244.0.2', 'ep:kube-system/kube-dns-upstream/10.244.2.2']);
    expect(dnsEvidence(traced)).toContain('NOTRACK');
    expect(traced.verdict).toBe('delivered');
  });

  test('a policy that allows only the CoreDNS pods denies the query to node-cache, with the ipBlock to add', () => {
    const traced = trace(demoWith(withNodeLocalDns), { from: frontend, to: 'backend' });
    expect(traced.dns?.status).toBe('policy-denied');
    expect(traced.dns?.summary).toContain('(UDP 53 to NodeLocal DNSCache 10.96.0.10)');
    expect(traced.dns?.summary).toContain('Allow egress to ipBlock 10.96.0.10/32 on port 53');
    expect(traced.blockers[0]?.kind).toBe('dns-policy');
  });

  test('bound only to 169.254.20.10 (IPVS mode): pods use it only where the kubelet\'s clusterDNS says so', () => {
    const viaKubeProxy = trace(demoWith((o) => withNodeLocalDns(o, '169.254.20.10')), { from: frontend, to: 'backend' });
    expect(viaKubeProxy.dns?.status).toBe('resolved');
    expect(dnsHops(viaKubeProxy).join('\n')).not.toContain('NodeLocal DNSCache');
    const local = demoWith((o) => {
      withNodeLocalDns(o, '169.254.20.10');
      allowNodeLocal(o);
      for (const node of o.nodes) node.kubeletConfig = { clusterDNS: ['169.254.20.10'], clusterDomain: 'cluster.local' };
    });
    const traced = trace(local, { from: frontend, to: 'backend' });
    expect(traced.dns?.nameservers).toEqual(['169.254.20.10']);
    expect(dnsHops(traced)[1]).toBe('169.254.20.10:53 is NodeLocal DNSCache on node demo-worker-1: node-cache kube-system/node-local-dns-demo-worker-1, hostNetwork — no kube-proxy DNAT');
    expect(traced.dns?.status).toBe('resolved');
  });

  test('no node-cache pod on the client\'s node: a link-local nameserver finds nothing, the ClusterIP falls back to kube-proxy', () => {
    const others = ['demo-control-plane', 'demo-worker-2'];
    const linkLocal = demoWith((o) => {
      withNodeLocalDns(o, '169.254.20.10', others);
      allowNodeLocal(o);
      for (const node of o.nodes) node.kubeletConfig = { clusterDNS: ['169.254.20.10'], clusterDomain: 'cluster.local' };
    });
    const failed = trace(linkLocal, { from: frontend, to: 'backend' });
    expect(failed.dns?.status).toBe('no-cluster-dns');
    expect(failed.dns?.summary).toContain('no kube-system/node-local-dns pod runs on node demo-worker-1: nothing there answers 169.254.20.10');
    const clusterIP = trace(
      demoWith((o) => {
        withNodeLocalDns(o, '169.254.20.10,10.96.0.10', others);
        allowNodeLocal(o);
      }),
      { from: frontend, to: 'backend' },
    );
    expect(clusterIP.dns?.status).toBe('resolved');
    expect(dnsHops(clusterIP).join('\n')).not.toContain('NodeLocal DNSCache');
  });

  test('a name outside the cluster goes from node-cache to the node\'s resolvers, not to CoreDNS', () => {
    const topology = demoWith((o) => {
      withNodeLocalDns(o);
      allowNodeLocal(o);
    });
    const traced = trace(topology, { from: frontend, to: 'example.com', port: 443 });
    expect(traced.dns?.status).toBe('upstream');
    expect(dnsHops(traced).join('\n')).toContain('node-cache forwards names outside the cluster to node demo-worker-1\'s own resolvers');
    expect(traced.dns?.endpoints).toEqual([]);
  });
});
