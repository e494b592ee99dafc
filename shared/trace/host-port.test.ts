/**
 * hostPort as a path (issue 15, Paths): the CNI portmap plugin's rules as
 * containernetworking/plugins writes them (plugins/meta/portmap/portmap_iptables.go,
 * fillDnatRules: the DNAT per hostPort, `-d hostIP` unless unspecified, a hostIP only in its
 * own family, the hairpin and localhost masquerade marks), a case table on the bundled demo with
 * one pod publishing a port.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { ClusterObjects, Pod } from '../kube/objects.ts';
import type { Topology } from '../model/types.ts';
import { parseSnapshot } from '../snapshot/format.ts';
import { derive } from '../topology/derive.ts';
import { trace } from './trace.ts';
import type { Trace } from './types.ts';

const snapshot = parseSnapshot(readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));

/** default/echo on demo-worker-1 (InternalIP 172.18.0.3, ExternalIP 203.0.113.3), 10.244.1.11, containerPort 8080. */
const echo = 'default/echo-76d7c7b86b-9tnwr';

function pod(objects: ClusterObjects, namespacedName: string): Pod {
  const found = objects.pods.find((p) => `${p.metadata.namespace}/${p.metadata.name}` === namespacedName);
  if (!found) throw new Error(`no pod ${namespacedName}`);
  return found;
}

/** The demo with echo's http port published as `hostPort` (and hostIP, protocol where given). */
function published(port: { hostPort?: number; hostIP?: string; protocol?: 'TCP' | 'UDP' } = {}, change: (objects: ClusterObjects) => void = () => {}): Topology {
  const objects = structuredClone(snapshot.objects);
  const declared = pod(objects, echo).spec?.containers[0]?.ports?.[0];
  if (!declared) throw new Error('echo declares no port');
  declared.hostPort = port.hostPort ?? 8888;
  if (port.hostIP) declared.hostIP = port.hostIP;
  if (port.protocol) declared.protocol = port.protocol;
  change(objects);
  return derive(objects, snapshot.source);
}

const kinds = (t: Trace) => t.hops.map((h) => h.kind);
const hostPortHop = (t: Trace) => t.hops.find((h) => h.kind === 'host-port');

describe('hostPort: traffic to a node\'s address on a published port reaches the pod', () => {
  test('from the internet to the node\'s ExternalIP: portmap DNATs to the pod, the client\'s address kept', () => {
    const traced = trace(published(), { from: 'internet', to: '203.0.113.3:8888' });
    expect(traced.verdict).toBe('delivered');
    const dnat = hostPortHop(traced);
    expect(dnat?.packet).toEqual({ src: '198.51.100.1', dst: '10.244.1.11', dstPort: 8080, protocol: 'TCP' });
    expect(dnat?.evidence.map((e) => e.text).join('\n')).toContain('CNI-HOSTPORT-DNAT → CNI-DN-<hash> -p tcp --dport 8888 -j DNAT --to-destination 10.244.1.11:8080');
    expect(dnat?.evidence.map((e) => e.command)).toContain("iptables-save -t nat | grep -e CNI-HOSTPORT-DNAT -e '--dport 8888'");
    expect(kinds(traced).slice(-4)).toEqual(['bridge', 'veth', 'pod-eth0', 'container']);
    expect(traced.summary).toContain('Through hostPort 203.0.113.3:8888/TCP of node demo-worker-1 (portmap DNAT)');
  });

  test('node/NAME:PORT is the node\'s InternalIP', () => {
    const traced = trace(published(), { from: 'internet', to: 'node/demo-worker-1:8888' });
    expect(hostPortHop(traced)?.label).toBe('node demo-worker-1: hostPort 172.18.0.3:8888/TCP → DNAT to default/echo-76d7c7b86b-9tnwr 10.244.1.11:8080');
  });

  test('hostIP set: only that address is DNATed (-d hostIP); another of the node\'s addresses is not', () => {
    const topology = published({ hostIP: '172.18.0.3' });
    expect(trace(topology, { from: 'internet', to: '172.18.0.3:8888' }).verdict).toBe('delivered');
    const other = trace(topology, { from: 'internet', to: '203.0.113.3:8888' });
    expect(hostPortHop(other)).toBeUndefined();
    expect(other.summary).toContain('hostPort 8888/TCP of default/echo-76d7c7b86b-9tnwr is published on hostIP 172.18.0.3 only (-d 172.18.0.3), not on 203.0.113.3');
    expect(hostPortHop(trace(topology, { from: 'internet', to: '172.18.0.3:8888' }))?.evidence[1]?.text).toContain('--dport 8888 -d 172.18.0.3 -j DNAT');
  });

  test('hostIP 0.0.0.0 is every IPv4 address of the node', () => {
    expect(trace(published({ hostIP: '0.0.0.0' }), { from: 'internet', to: '203.0.113.3:8888' }).verdict).toBe('delivered');
  });

  test('the protocol: a UDP hostPort is not a TCP one', () => {
    const topology = published({ protocol: 'UDP' });
    const tcp = trace(topology, { from: 'internet', to: '203.0.113.3:8888' });
    expect(hostPortHop(tcp)).toBeUndefined();
    expect(tcp.summary).toContain('is published for UDP only, and the packet is TCP');
    const udp = trace(topology, { from: 'internet', to: '203.0.113.3:8888', protocol: 'UDP' });
    expect(udp.verdict).toBe('delivered');
    expect(hostPortHop(udp)?.packet.protocol).toBe('UDP');
  });

  test('a pod on another node: the port is not published there', () => {
    const traced = trace(published(), { from: 'internet', to: 'node/demo-worker-2:8888' });
    expect(hostPortHop(traced)).toBeUndefined();
    expect(traced.summary).toContain('is published on node demo-worker-1, not on demo-worker-2: portmap writes its rules only on the pod\'s own node');
  });

  test('a hostNetwork pod\'s hostPort is its own listening port: no portmap rule', () => {
    // monitoring/node-exporter publishes hostPort 9100 with hostNetwork: true.
    const traced = trace(published(), { from: 'internet', to: 'node/demo-worker-1:9100' });
    expect(traced.verdict).toBe('delivered');
    expect(hostPortHop(traced)).toBeUndefined();
    expect(traced.summary).toContain('hostNetwork pod monitoring/node-exporter-lsmxt');
  });

  test('a finished pod publishes nothing', () => {
    const topology = published({}, (o) => {
      const status = pod(o, echo).status;
      if (status) status.phase = 'Succeeded';
    });
    expect(hostPortHop(trace(topology, { from: 'internet', to: '203.0.113.3:8888' }))).toBeUndefined();
  });

  test('a NodePort on the same port wins: kube-proxy\'s rules come first in PREROUTING', () => {
    // grafana's NodePort is 30300.
    const traced = trace(published({ hostPort: 30300 }), { from: 'internet', to: '203.0.113.3:30300' });
    expect(hostPortHop(traced)).toBeUndefined();
    expect(kinds(traced)).toContain('node-port');
  });
});

describe('hostPort: the sender and the masquerade portmap adds', () => {
  test('a pod on the same node (on the bridge\'s subnet): hairpin, masqueraded to cni0\'s address', () => {
    // ingress-nginx's controller on demo-worker-1 (10.244.1.3).
    const traced = trace(published(), { from: 'ingress-nginx/ingress-nginx-controller-587959c5b5-twljb', to: '172.18.0.3:8888' });
    expect(traced.verdict).toBe('delivered');
    const at = kinds(traced).indexOf('host-port');
    expect(kinds(traced)[at + 1]).toBe('snat');
    expect(traced.hops[at + 1]?.packet.src).toBe('10.244.1.1');
    expect(traced.hops[at + 1]?.label).toContain('portmap masquerades 10.244.1.3 → 10.244.1.1 (cni0)');
  });

  test('a pod on another node: no portmap mark (not the node\'s subnet); Flannel masquerades it to its node first', () => {
    const traced = trace(published(), { from: 'payments/checkout-c9875db4d-cgq4s', to: '172.18.0.3:8888' });
    expect(traced.verdict).toBe('delivered');
    const dnat = hostPortHop(traced);
    expect(dnat?.packet.src).toBe('172.18.0.4');
    expect(traced.hops.filter((h) => h.kind === 'snat').map((h) => h.label)).toEqual(['node demo-worker-2: masquerade 10.244.2.10 → 172.18.0.4 (to node demo-worker-1, outside the pod network)']);
  });

  test('the node itself: from its own address, through OUTPUT, unmarked', () => {
    const traced = trace(published(), { from: 'node/demo-worker-1', to: '172.18.0.3:8888' });
    expect(traced.verdict).toBe('delivered');
    expect(hostPortHop(traced)?.packet.src).toBe('172.18.0.3');
    expect(kinds(traced)).not.toContain('snat');
  });

  test('the pod\'s ingress NetworkPolicy decides, with the source it sees after the DNAT', () => {
    const topology = published({}, (o) => {
      o.networkPolicies.push({ metadata: { name: 'deny-ingress', namespace: 'default', uid: 'np-deny-ingress' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } });
    });
    const traced = trace(topology, { from: 'internet', to: '203.0.113.3:8888' });
    expect(traced.verdict).toBe('policy-denied');
    expect(traced.blockers.map((b) => b.kind)).toEqual(['ingress']);
    expect(traced.policy.ingress?.flow.from.ip).toBe('198.51.100.1');
  });

  test('a sender whose egress is denied to the node is traced on to the pod and still denied', () => {
    // shop's frontend is under a default deny; its egress to a node address is not allowed.
    const traced = trace(published(), { from: 'shop/frontend-855456765f-wtxj9', to: '172.18.0.3:8888' });
    expect(traced.verdict).toBe('policy-denied');
    expect(hostPortHop(traced)).toBeDefined();
    expect(traced.blockers[0]?.kind).toBe('egress');
  });
});
