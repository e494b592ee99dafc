// Traces over what the network lab read off its nodes (test/fixtures/datapath/lab-kube-proxy-1.36-*:
// the real kube-proxy 1.36 and flanneld, two nodes): every hop that rests on a device, veth, route
// or kube-proxy rule read there is `observed`; the Service hops follow the rules as read, with
// their counters, and say where they disagree with the EndpointSlices.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { loadReading, readingDirs } from '../../test/lab/node-reading.ts';
import type { NodeReading } from '../datapath/reading.ts';
import { emptyObjects, type ClusterObjects, type EndpointSlice, type Pod, type Service } from '../kube/objects.ts';
import { derive } from '../topology/derive.ts';
import { formatTrace } from './format.ts';
import { trace } from './trace.ts';
import type { Hop, Trace } from './types.ts';

interface Capture {
  services: Service[];
  slices: EndpointSlice[];
  traffic: { servicePortName: string; url: string; answered: Record<string, number> }[];
  readings: NodeReading[];
  ns: string;
}

function capture(mode: 'iptables' | 'nftables'): Capture {
  const dir = fileURLToPath(new URL(`../../test/fixtures/datapath/lab-kube-proxy-1.36-${mode}/`, import.meta.url));
  const api = JSON.parse(readFileSync(join(dir, 'api.json'), 'utf8')) as Omit<Capture, 'readings' | 'ns'>;
  return { ...api, readings: readingDirs(dir).map(loadReading), ns: api.services[0]!.metadata.namespace! };
}

const output = (reading: NodeReading, key: string): string => {
  const result = (reading.commands as Record<string, { status: string; output?: string }>)[key];
  return result?.status === 'ok' ? (result.output ?? '') : '';
};

/**
 * The API's side of a capture: its Services and EndpointSlices as saved; its Nodes and Pods as the
 * readings show them (the capture keeps no Node or Pod objects); the flannel DaemonSet and
 * net-conf.json a flannel cluster has. No kube-proxy object: its mode is what the rules say.
 */
function objectsOf(c: Capture, slices = c.slices): ClusterObjects {
  const objects = emptyObjects();
  for (const reading of c.readings) {
    const addresses = JSON.parse(output(reading, 'addresses')) as { ifname: string; addr_info: { family: string; local: string; prefixlen: number }[] }[];
    const v4 = (name: string) => addresses.find((a) => a.ifname === name)?.addr_info.find((i) => i.family === 'inet');
    const internalIP = v4('eth0')!.local;
    const podCIDR = `${v4('cni0')!.local.replace(/\.\d+$/, '.0')}/24`;
    objects.nodes.push({
      metadata: { name: reading.node, uid: `uid-${reading.node}`, annotations: { 'flannel.alpha.coreos.com/public-ip': internalIP, 'flannel.alpha.coreos.com/backend-type': 'vxlan' } },
      spec: { podCIDR, podCIDRs: [podCIDR] },
      status: { addresses: [{ type: 'InternalIP', address: internalIP }], conditions: [{ type: 'Ready', status: 'True' }] },
    });
    for (const p of reading.pods) {
      const eth0 = (JSON.parse(output(p as unknown as NodeReading, 'addresses')) as { addr_info: { family: string; local: string }[] }[])[0]!.addr_info.find((i) => i.family === 'inet')!.local;
      const labels: Record<string, string> = p.pod!.name.startsWith('web') ? { app: 'web', ...(p.pod!.name === 'web-b' ? { side: 'b' } : {}) } : {};
      const pod: Pod = {
        metadata: { name: p.pod!.name, namespace: p.pod!.namespace, uid: `uid-${p.pod!.name}`, labels },
        spec: { nodeName: reading.node, containers: [{ name: 'main', ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] }] },
        status: { phase: 'Running', podIP: eth0, podIPs: [{ ip: eth0 }], hostIP: internalIP, conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'main', ready: true }] },
      };
      objects.pods.push(pod);
    }
  }
  objects.services = c.services;
  objects.endpointSlices = slices;
  objects.daemonSets.push({ metadata: { name: 'kube-flannel-ds', namespace: 'kube-flannel', uid: 'ds' }, spec: { template: { spec: { hostNetwork: true, containers: [{ name: 'kube-flannel', image: 'flannel/flannel:v0.28.11' }] } } } });
  objects.configMaps.push({ metadata: { name: 'kube-flannel-cfg', namespace: 'kube-flannel', uid: 'cm' }, data: { 'net-conf.json': '{"Network":"10.244.0.0/16","Backend":{"Type":"vxlan"}}' } });
  return objects;
}

const allHops = (t: Trace): Hop[] => [...t.hops, ...t.branches.flatMap((b) => b.hops)];
const datapathKinds = new Set<Hop['kind']>(['pod-eth0', 'veth', 'bridge', 'route', 'tunnel', 'decap', 'uplink', 'service', 'node-port', 'endpoint', 'kube-proxy-dnat', 'snat']);
const provenances = (t: Trace) => allHops(t).map((h) => `${h.kind} ${h.provenance}`);

describe.each(['iptables', 'nftables'] as const)('traces over the lab capture, kube-proxy 1.36 %s', (mode) => {
  const c = capture(mode);
  const model = derive(objectsOf(c), { datapath: c.readings });
  const bare = derive(objectsOf(c));
  const clusterIP = (name: string) => c.services.find((s) => s.metadata.name === name)!.spec.clusterIP!;
  const podIP = (name: string) => model.pods[`pod:uid-${name}`]!.ips[0]!;

  test('pod to pod across nodes: every device, veth and route hop is observed on the nodes read, inferred without readings', () => {
    const t = trace(model, { from: `${c.ns}/client`, to: `${c.ns}/web-b`, port: 8080 });
    expect(t.verdict).toBe('delivered');
    expect(provenances(t)).toEqual([
      'container inferred',
      'pod-eth0 observed',
      'veth observed',
      'bridge observed',
      'route observed',
      'tunnel observed',
      'uplink observed',
      'decap observed',
      'route observed',
      'bridge observed',
      'veth observed',
      'pod-eth0 observed',
      'container inferred',
    ]);
    const tunnel = t.hops.find((h) => h.kind === 'tunnel')!;
    expect(tunnel.evidence.map((e) => e.text)).toContainEqual(expect.stringMatching(/^observed on node \S+-a: flannel\.1's peer 10\.244\.\d+\.0\/24 via 10\.244\.\d+\.0 \(([0-9a-f]{2}:){5}[0-9a-f]{2}\), its FDB entry to 172\.31\.\d+\.2$/));
    const unread = trace(bare, { from: `${c.ns}/client`, to: `${c.ns}/web-b`, port: 8080 });
    expect(allHops(unread).every((h) => h.provenance === 'inferred')).toBe(true);
  });

  test('with no kube-proxy object in the API, the proxy mode is the one the rules were read in, and certain', () => {
    expect(bare.cluster.proxyMode).toMatchObject({ value: 'unknown', confidence: 'none' });
    expect(model.cluster.proxyMode).toMatchObject({ value: mode, confidence: 'high' });
    expect(model.cluster.proxyMode.evidence[0]).toBe(`kube-proxy's ${mode} rules read on nodes ${c.readings.map((r) => r.node).join(', ')}`);
    // An API that says otherwise keeps its answer, and the disagreement is said.
    const other = mode === 'iptables' ? 'nftables' : 'iptables';
    const objects = objectsOf(c);
    objects.configMaps.push({ metadata: { name: 'kube-proxy', namespace: 'kube-system', uid: 'cm-kp' }, data: { 'config.conf': `mode: ${other}\n` } });
    const told = derive(objects, { datapath: c.readings }).cluster.proxyMode;
    expect(told.value).toBe(other);
    expect(told.evidence.at(-1)).toMatch(new RegExp(`^kube-proxy's ${mode} rules read on nodes .*: not what the API says; traces through those nodes follow the rules read$`));
  });

  test('pod to ClusterIP: the rules as read decide, with the endpoints\' real shares; every datapath hop observed', () => {
    const t = trace(model, { from: `${c.ns}/client`, to: `${clusterIP('web')}:80` });
    expect(t.verdict).toBe('delivered');
    expect(allHops(t).filter((h) => datapathKinds.has(h.kind) && h.provenance !== 'observed')).toEqual([]);
    const service = t.hops.find((h) => h.kind === 'service')!;
    // No kube-proxy object in the API: the mode is the one the rules were read in.
    expect(service.label).toContain(`kube-proxy (${mode}) on ${c.readings[0]!.node}, as read: `);
    const endpoint = t.hops.find((h) => h.kind === 'endpoint')!;
    expect(endpoint.label).toMatch(/1 in 2 new connections \(50%\).*1 in 2 new connections \(50%\)/);
    expect(endpoint.label).not.toContain('differs');
    expect(t.branches.map((b) => b.pod).sort()).toEqual(['pod:uid-web-a', 'pod:uid-web-b']);
    for (const branch of t.branches) {
      expect(branch.selection).toMatch(new RegExp(`^observed on node ${c.readings[0]!.node}: `));
      const dnat = branch.hops[0]!;
      expect(dnat).toMatchObject({ kind: 'kube-proxy-dnat', provenance: 'observed' });
      expect(dnat.rules?.length).toBeGreaterThan(0);
    }
  });

  test('a node port on node b: node b\'s rules, observed', () => {
    const nodeB = Object.values(model.hosts).find((h) => h.name.endsWith('-b'))!;
    const nodePort = c.services.find((s) => s.metadata.name === 'web-np')!.spec.ports![0]!.nodePort!;
    const t = trace(model, { from: `${c.ns}/client`, to: `${nodeB.internalIPs[0]}:${nodePort}` });
    expect(t.verdict).toBe('delivered');
    const entry = t.hops.find((h) => h.kind === 'node-port')!;
    expect(entry).toMatchObject({ provenance: 'observed', node: nodeB.id });
    expect(allHops(t).filter((h) => datapathKinds.has(h.kind) && h.provenance !== 'observed')).toEqual([]);
    expect(t.branches).toHaveLength(2);
  });

  test('SNAT hops name the nat rule that masquerades, as read; without it, the hop says the rules disagree', () => {
    const nodeB = Object.values(model.hosts).find((h) => h.name.endsWith('-b'))!;
    const nodePort = c.services.find((s) => s.metadata.name === 'web-np')!.spec.ports![0]!.nodePort!;
    const query = { from: `${c.ns}/client`, to: `${nodeB.internalIPs[0]}:${nodePort}` };
    const snats = (t: Trace) => allHops(t).filter((h) => h.kind === 'snat');
    const t = trace(model, query);
    // Flannel's on node a (client → node b's address), kube-proxy's on node b in each branch.
    expect(snats(t).map((h) => `${h.node} ${h.provenance}`)).toEqual([`node:${c.readings[0]!.node}`, `node:${nodeB.name}`, `node:${nodeB.name}`].map((n) => `${n} observed`));
    const [flannel, kubeProxy] = snats(t);
    expect(flannel!.rules!.at(-1)!.text).toMatch(/^nat FLANNEL-POSTRTG line \d+: -s 10\.244\.0\.0\/16 ! -d 224\.0\.0\.0\/4 -j MASQUERADE --random-fully$/);
    expect(kubeProxy!.rules!.at(-1)!.text).toMatch(mode === 'iptables' ? /^nat KUBE-POSTROUTING line \d+: -j MASQUERADE --random-fully$/ : /^ip kube-proxy masquerading handle \d+: meta mark & 0x4000 != 0 masquerade$/);

    // A node a whose flannel runs without --ip-masq: its rules do not masquerade what the trace predicts.
    const noMasq = c.readings.map((r) => {
      const iptables = r.commands.iptables;
      if (r !== c.readings[0] || iptables?.status !== 'ok') return r;
      return { ...r, commands: { ...r.commands, iptables: { ...iptables, output: iptables.output.split('\n').filter((l) => !l.includes('-j MASQUERADE')).join('\n') } } };
    });
    const disagreeing = snats(trace(derive(objectsOf(c), { datapath: noMasq }), query))[0]!;
    expect(disagreeing.provenance).toBe('inferred');
    expect(disagreeing.evidence.at(-1)!.text).toMatch(/^observed and predicted disagree: the nat rules read on node \S+ at \S+ do not rewrite 10\.244\.\d+\.\d+ → 172\.31\.\d+\.2 \(the last rule it matched: nat POSTROUTING line \d+: -j FLANNEL-POSTRTG\); the hops below assume the predicted masquerade$/);
  });

  test('where the EndpointSlices and the rules disagree, the hop says so and the rules decide', () => {
    // The API loses web-b from web's slices (as if its pod had gone); node a's rules still have it.
    const slices = c.slices.map((s) => (s.metadata.labels?.['kubernetes.io/service-name'] === 'web' ? { ...s, endpoints: (s.endpoints ?? []).filter((e) => e.targetRef?.name !== 'web-b') } : s));
    const stale = derive(objectsOf(c, slices), { datapath: c.readings });
    const t = trace(stale, { from: `${c.ns}/client`, to: `${clusterIP('web')}:80` });
    const endpoint = t.hops.find((h) => h.kind === 'endpoint')!;
    expect(endpoint.provenance).toBe('observed');
    expect(endpoint.label).toContain(`differs from the EndpointSlices: the rules have ${podIP('web-b')}:8080, which the EndpointSlices do not list as usable`);
    expect(endpoint.evidence.map((e) => e.text)).toContainEqual(expect.stringMatching(/^observed and predicted disagree: /));
    expect(t.branches.map((b) => b.pod).sort()).toEqual(['pod:uid-web-a', 'pod:uid-web-b']);
    const extra = t.branches.find((b) => b.pod === 'pod:uid-web-b')!;
    expect(extra.hops[0]!.evidence.map((e) => e.text)).toContainEqual(expect.stringContaining('is in the rules but in no EndpointSlice of svc'));

    // And the other way: an endpoint the API lists that the rules lack.
    const more = c.slices.map((s) =>
      s.metadata.labels?.['kubernetes.io/service-name'] === 'web' && (s.endpoints ?? []).some((e) => e.targetRef?.name === 'web-a')
        ? { ...s, endpoints: [...(s.endpoints ?? []), { addresses: ['10.244.250.9'], conditions: { ready: true, serving: true, terminating: false }, nodeName: c.readings[0]!.node }] }
        : s,
    );
    const lacking = trace(derive(objectsOf(c, more), { datapath: c.readings }), { from: `${c.ns}/client`, to: `${clusterIP('web')}:80` });
    expect(lacking.hops.find((h) => h.kind === 'endpoint')!.label).toContain('the rules lack 10.244.250.9:8080, which the EndpointSlices list as usable');
    expect(lacking.branches).toHaveLength(2);
  });

  test('the CLI text shows each hop\'s provenance and the rules as read', () => {
    const text = formatTrace(trace(model, { from: `${c.ns}/client`, to: `${clusterIP('web')}:80` }));
    expect(text).toContain('observed: read off the node by a probe');
    expect(text).toMatch(/^ +\d+ {2}veth +observed {2}veth: eth0 → veth/m);
    expect(text).toMatch(/^ +\d+ {2}container +inferred {2}from container main/m);
  });
});

describe('the rules\' packet counters, as the lab\'s traffic left them (iptables)', () => {
  const c = capture('iptables');
  const model = derive(objectsOf(c), { datapath: c.readings });
  const web = c.services.find((s) => s.metadata.name === 'web')!;
  const sent = c.traffic.find((t) => t.servicePortName === `${c.ns}/web:http`)!;

  test('each branch\'s DNAT rule has counted exactly the requests its endpoint answered', () => {
    const t = trace(model, { from: `${c.ns}/client`, to: `${web.spec.clusterIP}:80` });
    for (const branch of t.branches) {
      const target = `${branch.hops[0]!.packet.dst}:${branch.hops[0]!.packet.dstPort}`;
      const [jump, dnat] = branch.hops[0]!.rules!;
      expect(jump).toMatchObject({ chain: expect.stringMatching(/^KUBE-SVC-/), target: expect.stringMatching(/^KUBE-SEP-/), packets: sent.answered[target] });
      expect(dnat).toMatchObject({ chain: jump!.target, target: 'DNAT', text: `${jump!.target}: -p tcp -j DNAT --to-destination ${target}`, packets: sent.answered[target] });
      expect(branch.hops[0]!.evidence[1]!.text).toBe(`${dnat!.text} [${sent.answered[target]} packets when read]`);
    }
    const service = t.hops.find((h) => h.kind === 'service')!;
    expect(service.rules?.map((r) => [r.chain, r.target])).toEqual([['KUBE-SERVICES', t.branches[0]!.hops[0]!.rules![0]!.chain]]);
  });

  test('the node port `local` (externalTrafficPolicy Local, no endpoint on node a): dropped by the rule read there', () => {
    const nodeA = Object.values(model.hosts).find((h) => h.name.endsWith('-a'))!;
    const nodePort = c.services.find((s) => s.metadata.name === 'local')!.spec.ports![0]!.nodePort!;
    const t = trace(model, { from: 'internet', to: `${nodeA.internalIPs[0]}:${nodePort}` });
    expect(t.verdict).toBe('no-endpoints');
    const dropped = allHops(t).find((h) => h.kind === 'kube-proxy-dnat')!;
    expect(dropped.provenance).toBe('observed');
    expect(dropped.label).toMatch(/^dropped by kube-proxy's rule as read \(filter KUBE-\S+ line \d+: has no local endpoints -j DROP\)/);
  });
});
