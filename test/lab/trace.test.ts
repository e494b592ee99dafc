// Podpath's traces checked against real packets (issue 13): one lab per kube-proxy mode (flannel
// VXLAN, two nodes), the model derived from the API's objects as listed and both nodes' readings
// (node-reading.ts), traced with Podpath's own tracer; then real traffic for each trace. The reply
// must arrive from an endpoint the trace lists, every device the trace predicts (veth, bridge,
// flannel.1, eth0, pod eth0) must count packets it did not count before, and in iptables mode the
// kube-proxy rules the trace names (the frontend in KUBE-SERVICES / KUBE-NODEPORTS, the jump in
// KUBE-SVC, the DNAT in KUBE-SEP) must count the requests. Every hop that rests on a device, veth,
// route or rule read off a node must say `observed`.
//
// The lab runs flanneld as a process, not as a DaemonSet, and kube-proxy without its ConfigMap: the
// flannel DaemonSet and net-conf.json a real cluster has are added to the objects listed (as
// test/fixtures/datapath/lab-cluster.ts does), so that the CNI is detected from the API as on a
// real cluster. kube-proxy's mode is not: the rules read decide it. NetworkPolicy is not enforced
// by this lab (no enforcing component), so policy hops are the tracer's inference.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { parseIptablesSave } from '../../shared/datapath/iptables-save.ts';
import type { NodeReading } from '../../shared/datapath/reading.ts';
import type { Service } from '../../shared/kube/objects.ts';
import type { Topology } from '../../shared/model/types.ts';
import { derive } from '../../shared/topology/derive.ts';
import { trace } from '../../shared/trace/trace.ts';
import type { Hop, ObservedRule, Trace } from '../../shared/trace/types.ts';
import { waitFor } from '../cluster/harness.ts';
import { linkCounters, type LinkStats } from './counters.ts';
import { type Lab, podPort, prepareLab, startLab } from './lab.ts';
import { listLabObjects, readLabNode } from './node-reading.ts';

const kubeconfig = inject('kubeconfig');
// CI must not pass by skipping: there a missing part fails the file.
const isCI = process.env.CI === 'true';
const { reason, bin } = await prepareLab(kubeconfig);
if (reason && !isCI) console.log(`skipped: traces checked with real packets: ${reason}`);

test.runIf(reason && isCI)('the network lab can run (CI)', () => {
  expect.fail(`CI=true and the network lab cannot run: ${reason}`);
});

/** Hops that rest on a device, veth, route or kube-proxy rule: on nodes that were read, observed. */
const datapathKinds = new Set<Hop['kind']>(['pod-eth0', 'veth', 'bridge', 'route', 'tunnel', 'decap', 'uplink', 'service', 'node-port', 'endpoint', 'kube-proxy-dnat', 'snat']);

const web = { app: 'web' };
const scaled = { scaled: 'yes' };

describe.skipIf(reason).each([{ proxyMode: 'iptables' }, { proxyMode: 'nftables' }] as const)('traces against real packets: flannel vxlan, kube-proxy $proxyMode', ({ proxyMode }) => {
  let lab: Lab;
  const services = new Map<string, Service>();

  beforeAll(async () => {
    lab = await startLab({
      kubeconfig,
      bin,
      overlay: 'vxlan',
      proxyMode,
      nodes: ['a', 'b'],
      pods: [
        { name: 'client', node: 'a' },
        { name: 'web-a', node: 'a', labels: { ...web, ...scaled } },
        { name: 'web-b', node: 'b', labels: web },
        { name: 'web-c', node: 'b', labels: scaled },
      ],
    });
    const port = (name?: string) => ({ ...(name ? { name } : {}), port: 80, targetPort: podPort, protocol: 'TCP' as const });
    const ns = lab.namespace;
    // Endpoints on both nodes behind a named port; the same as a NodePort (its port unnamed); and
    // the Service whose endpoints change (web-a on node a, web-c on node b, until web-c goes).
    services.set('web', await lab.api.createService(ns, { name: 'web', selector: web, ports: [port('http')] }));
    services.set('web-np', await lab.api.createService(ns, { name: 'web-np', type: 'NodePort', selector: web, ports: [port()] }));
    services.set('scaled', await lab.api.createService(ns, { name: 'scaled', selector: scaled, ports: [port('http')] }));
    await waitForRules({ web: 2, 'web-np': 2, scaled: 2 });
  }, 300_000);

  afterAll(async () => {
    await lab?.stop();
  });

  /** Until the EndpointSlices list `counts` endpoints per Service and both nodes' rules have them. */
  async function waitForRules(counts: Record<string, number>) {
    await waitFor(
      async () => {
        for (const [name, n] of Object.entries(counts)) {
          const listed = (await lab.api.endpointSlicesOf(lab.namespace, name)).flatMap((s) => s.endpoints ?? []).length;
          if (listed !== n) return undefined;
        }
        return true;
      },
      30_000,
      `the EndpointSlices of ${Object.keys(counts).join(', ')}`,
    );
    for (const node of lab.nodes) {
      await waitFor(
        async () => {
          const { model } = await modelNow([node.short]);
          const host = Object.values(model.hosts).find((h) => h.name === node.name);
          const rules = host?.observed?.kubeProxy[0]?.services ?? [];
          const endpointsOf = (name: string) => rules.find((s) => s.name === name && s.namespace === lab.namespace)?.dispatches.find((d) => d.scope === 'cluster')?.endpoints.length ?? 0;
          return Object.entries(counts).every(([name, n]) => endpointsOf(name) === n) ? true : undefined;
        },
        60_000,
        `kube-proxy's rules in ${node.netns} for ${JSON.stringify(counts)}`,
      );
    }
  }

  /** The model from the objects listed and the nodes read now (`only`: just those nodes). */
  async function modelNow(only?: string[]): Promise<{ model: Topology; readings: NodeReading[] }> {
    const readings: NodeReading[] = [];
    for (const node of lab.nodes.filter((n) => !only || only.includes(n.short))) readings.push(await readLabNode(lab, node));
    return { model: derive(await listLabObjects(lab), { datapath: readings }), readings };
  }

  const allHops = (t: Trace) => [...t.hops, ...t.branches.flatMap((b) => b.hops)];

  /** Where a hop's device is: the node or pod netns, and the device's name there. */
  function devicesOf(model: Topology, hop: Hop): { netns: string; name: string; what: string }[] {
    const found: { netns: string; name: string; what: string }[] = [];
    const nodeNetns = (hostId: string) => lab.nodes.find((n) => `node:${n.name}` === hostId)?.netns;
    // A frame the bridge switches between two of its ports never reaches the bridge device's own
    // counters (they count what it hands to the node's IP stack): the ports (veths) prove the hop.
    const isSwitched = hop.kind === 'bridge' && hop.label.includes('switches the frame');
    for (const id of hop.ids) {
      const device = isSwitched ? undefined : model.devices[id];
      if (device?.name && nodeNetns(device.host)) found.push({ netns: nodeNetns(device.host)!, name: device.name, what: `${device.name} on ${model.hosts[device.host]?.name}` });
      const veth = model.veths[id];
      if (veth?.hostEnd.name && nodeNetns(veth.host)) found.push({ netns: nodeNetns(veth.host)!, name: veth.hostEnd.name, what: `${veth.hostEnd.name} (${model.pods[veth.pod]?.name}'s veth) on ${model.hosts[veth.host]?.name}` });
    }
    if (hop.kind === 'pod-eth0') {
      const pod = hop.ids.map((id) => model.pods[id]).find((p) => p !== undefined);
      const labPod = pod ? lab.pods.find((p) => p.name === pod.name) : undefined;
      if (labPod) found.push({ netns: labPod.netns, name: 'eth0', what: `eth0 in pod ${labPod.name}` });
    }
    return found;
  }

  const podOfBranch = (model: Topology, t: Trace) => t.branches.map((b) => (b.pod ? model.pods[b.pod]?.name : undefined)).filter((n): n is string => n !== undefined);

  /** The nat table's packet counter of one rule the trace names: by its chain and where it jumps. */
  function ruleCounter(save: ReturnType<typeof parseIptablesSave>, rule: ObservedRule): number {
    const chain = save.tables.find((t) => t.name === 'nat')?.chains.find((c) => c.name === rule.chain);
    const matching = chain?.rules.filter((r) => r.target === rule.target) ?? [];
    // A node port has two frontends (127.0.0.0/8's and any local address's): summed.
    return matching.reduce((sum, r) => sum + (r.counters?.packets ?? NaN), 0);
  }

  const syncs = (node: string) => (readFileSync(lab.logOf(`kube-proxy-${node}`), 'utf8').match(/Syncing (iptables|nftables) rules/g) ?? []).length;

  /**
   * Sends `requests` requests for the trace and checks them against it: replies from listed
   * endpoints only, every predicted device counting, and (iptables) every named rule counting
   * what went through it. Measured again when kube-proxy synced meanwhile (a sync rewrites
   * KUBE-SERVICES and KUBE-NODEPORTS, and with them their counters).
   */
  async function checkWithTraffic(scenario: string, model: Topology, t: Trace, url: string, requests: number, expectedPods: string[]) {
    expect(t.verdict, t.summary).toBe('delivered');
    const hops = allHops(t);
    const notObserved = hops.filter((h) => datapathKinds.has(h.kind) && h.provenance !== 'observed');
    expect(notObserved.map((h) => `${h.kind}: ${h.label}`), `${scenario}: hops resting on what was read, not observed`).toEqual([]);
    const listed = t.branches.length > 0 ? podOfBranch(model, t) : [t.to.label.split('/').pop()!];
    expect(listed.sort(), `${scenario}: the endpoints the trace lists`).toEqual([...expectedPods].sort());

    // A node port has two frontend rules to one chain (127.0.0.0/8's and any local address's), counted together.
    const rules = (proxyMode === 'iptables' ? hops.flatMap((h) => (h.rules ?? []).map((r) => ({ hop: h, rule: r }))) : []).filter(
      ({ hop, rule }, i, all) => all.findIndex((o) => o.hop === hop && o.rule.node === rule.node && o.rule.chain === rule.chain && o.rule.target === rule.target) === i,
    );
    if (t.branches.length > 0 && rules.length === 0 && proxyMode === 'iptables') expect.fail(`${scenario}: the trace names no rule`);
    const netnsOfNode = (name: string) => lab.nodes.find((n) => n.name === name)!.netns;
    const saves = async () => new Map(await Promise.all(lab.nodes.map(async (n) => [n.name, parseIptablesSave((await lab.exec(n.netns, 'iptables-save', ['-c'])).stdout)] as const)));
    const ruleNodes = [...new Set(rules.map((r) => r.rule.node))];

    for (let attempt = 1; ; attempt++) {
      const syncsBefore = lab.nodes.map((n) => syncs(n.short)).join();
      const netnses = [...new Set(hops.flatMap((h) => devicesOf(model, h).map((d) => d.netns)))];
      const countersBefore = new Map(await Promise.all(netnses.map(async (ns) => [ns, await linkCounters((c, a) => lab.exec(ns, c, a))] as const)));
      const savesBefore = proxyMode === 'iptables' ? await saves() : null;

      const answered = new Map<string, number>();
      for (let i = 0; i < requests; i++) {
        const reply = (await lab.inPod('client', 'curl', ['-sS', '--max-time', '5', url])).stdout.trim();
        expect(reply, `${scenario}: the reply`).toMatch(/^web-[abc] from \S+$/);
        const pod = reply.split(' ')[0]!;
        answered.set(pod, (answered.get(pod) ?? 0) + 1);
      }
      for (const pod of answered.keys()) expect(listed, `${scenario}: ${pod} answered`).toContain(pod);

      const countersAfter = new Map(await Promise.all(netnses.map(async (ns) => [ns, await linkCounters((c, a) => lab.exec(ns, c, a))] as const)));
      const savesAfter = proxyMode === 'iptables' ? await saves() : null;
      if (lab.nodes.map((n) => syncs(n.short)).join() !== syncsBefore && rules.length > 0) {
        if (attempt < 5) continue;
        expect.fail(`${scenario}: kube-proxy synced during each of ${attempt} measurements`);
      }

      // The trunk, and the branches whose endpoint answered: each device counted packets.
      const answeredBranches = t.branches.filter((b) => b.pod && answered.has(model.pods[b.pod]?.name ?? ''));
      const taken = [...t.hops, ...answeredBranches.flatMap((b) => b.hops)];
      // A bridge device's own counters count only what it hands to (or takes from) the node's IP
      // stack. The trunk's hop into the stack is proven only when an answer was routed; frames
      // DNATed to a pod on the same bridge are switched in the bridge's hook (the branch says so).
      const isRoutedAnswer = t.branches.length === 0 || answeredBranches.some((b) => b.hops[1]?.kind !== 'bridge');
      const moved: string[] = [];
      const seenDevice = new Set<string>();
      for (const hop of taken) {
        if (!isRoutedAnswer && t.hops.includes(hop) && hop.kind === 'bridge') {
          moved.push(`(${hop.label.split(':')[0]} into the IP stack not checked: every answer was switched on the bridge)`);
          continue;
        }
        for (const d of devicesOf(model, hop)) {
          const key = `${d.netns}/${d.name}`;
          if (seenDevice.has(key)) continue;
          seenDevice.add(key);
          const before: LinkStats | undefined = countersBefore.get(d.netns)?.get(d.name);
          const after: LinkStats | undefined = countersAfter.get(d.netns)?.get(d.name);
          expect(after, `${scenario}: ${d.what} exists`).toBeDefined();
          const rx = after!.rxPackets - (before?.rxPackets ?? 0);
          const tx = after!.txPackets - (before?.txPackets ?? 0);
          expect(rx + tx, `${scenario}: ${d.what} (hop ${hop.kind}) counted packets`).toBeGreaterThan(0);
          moved.push(`${d.what} rx +${rx} tx +${tx}`);
        }
      }

      // iptables: each rule named on a taken hop counted; the dispatch and DNAT rules of an
      // endpoint exactly the requests it answered, the frontend all of them.
      const ruleMoves: string[] = [];
      if (savesBefore && savesAfter) {
        for (const { hop, rule } of rules) {
          if (!taken.includes(hop)) continue;
          const grew = ruleCounter(savesAfter.get(rule.node)!, rule) - ruleCounter(savesBefore.get(rule.node)!, rule);
          const branchPod = t.branches.find((b) => b.hops.includes(hop))?.pod;
          const pod = hop.kind === 'kube-proxy-dnat' || hop.kind === 'snat' ? branchPod : null;
          const want = pod ? (answered.get(model.pods[pod]?.name ?? '') ?? 0) : requests;
          // The nat rules a SNAT hop walks are shared by every connection leaving the node (both
          // branches', and anything else new): they count at least this path's.
          if (hop.kind === 'snat') expect(grew, `${scenario}: ${rule.text} on ${rule.node}`).toBeGreaterThanOrEqual(want);
          else expect(grew, `${scenario}: ${rule.text} on ${rule.node}`).toBe(want);
          ruleMoves.push(`${rule.chain} -j ${rule.target} on ${rule.node.slice(lab.prefix.length)} +${grew}`);
        }
        expect(ruleNodes.every((n) => netnsOfNode(n))).toBe(true);
      }
      const report = [
        `${scenario} [${proxyMode}]: ${requests} requests to ${url}, answered by ${[...answered].map(([p, n]) => `${p} ×${n}`).join(', ')} (measurement ${attempt})`,
        `  predicted hops: ${t.hops.map((h) => `${h.kind}(${h.provenance})`).join(' → ')}${t.branches.length > 0 ? ` ⇒ ${t.branches.map((b) => `[${b.label}: ${b.hops.map((h) => `${h.kind}(${h.provenance})`).join(' → ')}]`).join(' | ')}` : ''}`,
        `  devices: ${moved.join('; ')}`,
        ...(ruleMoves.length > 0 ? [`  rules: ${ruleMoves.join('; ')}`] : []),
      ];
      console.log(report.join('\n'));
      return answered;
    }
  }

  test('pod to pod on one node: client → web-a, through the veths and cni0', async () => {
    const { model } = await modelNow();
    const t = trace(model, { from: `${lab.namespace}/client`, to: `${lab.namespace}/web-a`, port: podPort });
    expect(allHops(t).map((h) => h.kind)).toEqual(['container', 'pod-eth0', 'veth', 'bridge', 'veth', 'pod-eth0', 'container']);
    await checkWithTraffic('pod to pod, one node', model, t, `http://${lab.pod('web-a').ip}:${podPort}/`, 5, ['web-a']);
  });

  test('pod to pod across nodes: client → web-b, through cni0, flannel.1 and eth0 on both nodes', async () => {
    const { model } = await modelNow();
    const t = trace(model, { from: `${lab.namespace}/client`, to: `${lab.namespace}/web-b`, port: podPort });
    expect(allHops(t).map((h) => h.kind)).toEqual(['container', 'pod-eth0', 'veth', 'bridge', 'route', 'tunnel', 'uplink', 'decap', 'route', 'bridge', 'veth', 'pod-eth0', 'container']);
    await checkWithTraffic('pod to pod, across nodes', model, t, `http://${lab.pod('web-b').ip}:${podPort}/`, 5, ['web-b']);
  });

  test('pod to ClusterIP: the observed rules\' endpoints on both nodes, each answering, each rule counting', async () => {
    const { model } = await modelNow();
    const svc = services.get('web')!;
    // By its address, as the request goes (by name the trace would add the DNS lookup the lab has no CoreDNS for).
    const t = trace(model, { from: `${lab.namespace}/client`, to: `${svc.spec.clusterIP}:80` });
    const endpointHop = t.hops.find((h) => h.kind === 'endpoint')!;
    expect(endpointHop.label).toContain('1 in 2 new connections');
    expect(endpointHop.label).not.toContain('differs');
    const answered = await checkWithTraffic('pod to ClusterIP', model, t, `http://${svc.spec.clusterIP}/`, 24, ['web-a', 'web-b']);
    expect([...answered.keys()].sort()).toEqual(['web-a', 'web-b']);
  });

  test('pod to NodePort on node b\'s address: node b\'s rules DNAT to both endpoints', async () => {
    const { model } = await modelNow();
    const nodePort = services.get('web-np')!.spec.ports![0]!.nodePort!;
    const nodeB = lab.node('b');
    const t = trace(model, { from: `${lab.namespace}/client`, to: `${nodeB.ip}:${nodePort}` });
    expect(t.hops.find((h) => h.kind === 'node-port')?.node).toBe(`node:${nodeB.name}`);
    const answered = await checkWithTraffic('pod to NodePort', model, t, `http://${nodeB.ip}:${nodePort}/`, 24, ['web-a', 'web-b']);
    expect([...answered.keys()].sort()).toEqual(['web-a', 'web-b']);
  });

  test('a Service whose endpoints change: web-c deleted, the EndpointSlice and the rules follow, the new trace holds', async () => {
    const svc = services.get('scaled')!;
    const url = `http://${svc.spec.clusterIP}/`;
    const query = { from: `${lab.namespace}/client`, to: `${svc.spec.clusterIP}:80` };
    const before = await modelNow();
    await checkWithTraffic('changing Service, before', before.model, trace(before.model, query), url, 16, ['web-a', 'web-c']);

    await lab.api.deleteObject(`/api/v1/namespaces/${lab.namespace}/pods/web-c`);
    await waitForRules({ scaled: 1 });
    const after = await modelNow();
    const t = trace(after.model, query);
    expect(t.branches).toHaveLength(1);
    // web-a is on the client's bridge: kube-proxy's DNAT happens in the bridge's hook, the frame is switched.
    expect(t.branches[0]!.hops.map((h) => h.kind)).toEqual(['kube-proxy-dnat', 'bridge', 'veth', 'pod-eth0', 'container']);
    const answered = await checkWithTraffic('changing Service, after deleting web-c', after.model, t, url, 8, ['web-a']);
    expect([...answered.keys()]).toEqual(['web-a']);
  });
});
