// What the real kube-proxy (the control plane's version, built by test/lab/build) and the real
// flanneld write, read back by Podpath's datapath parsers. One lab per kube-proxy mode, VXLAN
// overlay, two nodes; Services of several shapes; each node read as a probe reads it
// (node-reading.ts); the parsed Service ports → endpoints must be exactly what the API's
// EndpointSlices say, with kube-proxy's equal shares, and observeNode must map every pod veth to
// its pod and find flannel.1 with its peer. In iptables mode real traffic then moves the parsed
// counters of the endpoint that answered.
//
// PODPATH_LAB_CAPTURE=<dir> also saves each mode's readings and API objects under
// <dir>/lab-kube-proxy-<version>-<mode>/ (test/fixtures/datapath/ keeps one such capture).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { parseIptablesSave } from '../../shared/datapath/iptables-save.ts';
import { kubeProxyFromIptables } from '../../shared/datapath/kube-proxy-iptables.ts';
import { kubeProxyFromNftables } from '../../shared/datapath/kube-proxy-nftables.ts';
import { parseNftRuleset } from '../../shared/datapath/nftables.ts';
import { observeNode } from '../../shared/datapath/observe.ts';
import type { KubeProxyRules, ObservedNode } from '../../shared/datapath/types.ts';
import type { EndpointSlice, Service } from '../../shared/kube/objects.ts';
import { waitFor } from '../cluster/harness.ts';
import { expectedRules, observedRules, rounded } from './expected-rules.ts';
import { type Lab, type LabNode, podPort, prepareLab, startLab } from './lab.ts';
import { readLabNode, saveReading } from './node-reading.ts';

const kubeconfig = inject('kubeconfig');
// CI must not pass by skipping: there a missing part fails the file.
const isCI = process.env.CI === 'true';
const { reason, bin } = await prepareLab(kubeconfig);
if (reason && !isCI) console.log(`skipped: kube-proxy's and flannel's real rules: ${reason}`);

test.runIf(reason && isCI)('the network lab can run (CI)', () => {
  expect.fail(`CI=true and the network lab cannot run: ${reason}`);
});

const capture = process.env.PODPATH_LAB_CAPTURE;
const web = { app: 'web' };

describe.skipIf(reason).each([{ proxyMode: 'iptables' }, { proxyMode: 'nftables' }] as const)('kube-proxy $proxyMode and flannel vxlan, read back', ({ proxyMode }) => {
  let lab: Lab;
  let services: Service[];
  let slices: EndpointSlice[];
  const observed = new Map<string, ObservedNode>();
  const byName = (name: string) => services.find((s) => s.metadata.name === name)!;

  beforeAll(async () => {
    lab = await startLab({
      kubeconfig,
      bin,
      overlay: 'vxlan',
      proxyMode,
      nodes: ['a', 'b'],
      pods: [
        { name: 'client', node: 'a' },
        { name: 'web-a', node: 'a', labels: web },
        { name: 'web-b', node: 'b', labels: { ...web, side: 'b' } },
      ],
    });
    const port = (name?: string) => ({ ...(name ? { name } : {}), port: 80, targetPort: podPort, protocol: 'TCP' as const });
    services = [
      // Two endpoints on two nodes, behind a named port.
      await lab.api.createService(lab.namespace, { name: 'web', selector: web, ports: [port('http')] }),
      // A node port, its port unnamed.
      await lab.api.createService(lab.namespace, { name: 'web-np', type: 'NodePort', selector: web, ports: [port()] }),
      // No endpoints: kube-proxy rejects.
      await lab.api.createService(lab.namespace, { name: 'empty', selector: { app: 'nothing' }, ports: [port()] }),
      // ClientIP session affinity.
      await lab.api.createService(lab.namespace, { name: 'sticky', selector: web, sessionAffinity: 'ClientIP', ports: [port('http')] }),
      // Only node b has a local endpoint: node a drops external traffic to the node port.
      await lab.api.createService(lab.namespace, { name: 'local', type: 'NodePort', externalTrafficPolicy: 'Local', selector: { side: 'b' }, ports: [port()] }),
    ];
    // The EndpointSlice controller lists the pods a moment after each Service.
    const counts: Record<string, number> = { web: 2, 'web-np': 2, empty: 0, sticky: 2, local: 1 };
    slices = await waitFor(
      async () => {
        const all = (await Promise.all(services.map((s) => lab.api.endpointSlicesOf(lab.namespace, s.metadata.name!)))).flat();
        const ready = (name: string) => all.filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === name).flatMap((s) => s.endpoints ?? []).length;
        const sliced = (name: string) => all.some((s) => s.metadata.labels?.['kubernetes.io/service-name'] === name);
        return Object.entries(counts).every(([name, n]) => sliced(name) && ready(name) === n) ? all : undefined;
      },
      30_000,
      'the EndpointSlices of every Service',
    );
    // Synced once each node's rules, parsed, say what the API says: poll the rules, then read
    // the whole node once. A timeout says what was still different.
    for (const node of lab.nodes) {
      await waitFor(
        async () => {
          const [got, want] = [observedRules(await rulesOf(node), names()), rounded(expectedRules(services, slices, node.name))];
          if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`read ${JSON.stringify(got)}, the API says ${JSON.stringify(want)}`);
          return true;
        },
        60_000,
        `kube-proxy's rules in ${node.netns} matching the EndpointSlices`,
      );
      observed.set(node.short, observeNode(await readLabNode(lab, node)));
    }
  }, 240_000);

  afterAll(async () => {
    // The capture is read last, so that it holds the counters the traffic test moved.
    if (capture && lab && observed.size === lab.nodes.length) await saveCapture(capture);
    await lab?.stop();
  });

  const names = () => Object.keys(expectedRules(services, slices, ''));
  /** A Service port of this lab's namespace, or the API server's own. */
  const isOwn = (servicePortName: string) => servicePortName.startsWith(`${lab.namespace}/`) || servicePortName.startsWith('default/kubernetes');

  /** kube-proxy's rules on a node, parsed from the one command the probe reads for this mode. */
  async function rulesOf(node: LabNode): Promise<KubeProxyRules> {
    return proxyMode === 'iptables'
      ? kubeProxyFromIptables(parseIptablesSave((await lab.exec(node.netns, 'iptables-save', ['-c'])).stdout))
      : kubeProxyFromNftables(parseNftRuleset((await lab.exec(node.netns, 'nft', ['-j', 'list', 'ruleset'])).stdout));
  }

  /** Requests the traffic test sent, and which endpoint answered how many, for the capture. */
  const traffic: { servicePortName: string; url: string; answered: Record<string, number> }[] = [];

  async function saveCapture(root: string) {
    const version = /v\d+\.\d+/.exec(bin)?.[0] ?? 'unknown';
    const dir = join(root, `lab-kube-proxy-${version.slice(1)}-${proxyMode}`);
    mkdirSync(dir, { recursive: true });
    for (const node of lab.nodes) saveReading(join(dir, `node-${node.short}`), await readLabNode(lab, node));
    const trim = <T extends { metadata: object }>(o: T) => ({ ...o, metadata: { ...o.metadata, managedFields: undefined } });
    writeFileSync(join(dir, 'api.json'), `${JSON.stringify({ services: services.map(trim), slices: slices.map(trim), traffic }, null, 2)}\n`);
    console.log(`captured ${dir}`);
  }

  test('each node\'s rules map every Service port to the EndpointSlices\' endpoints, in equal shares', () => {
    for (const node of lab.nodes) {
      const rules = observed.get(node.short)!.kubeProxy;
      expect(rules.map((r) => r.mode)).toEqual([proxyMode]);
      // Nothing more of this lab's namespace, and the API server's own Service; other tests'
      // Services in the same control plane (another lab, a live test) are programmed as well.
      const ports = rules[0]!.services.map((s) => s.servicePortName).filter((name) => name === null || isOwn(name));
      expect(ports.sort()).toEqual([...names(), 'default/kubernetes:https'].sort());
      expect(observedRules(rules[0], names()), node.name).toEqual(rounded(expectedRules(services, slices, node.name)));
    }
    // The shapes, spelled out once: both nodes' endpoints behind web; node a has no local one.
    const a = observedRules(observed.get('a')!.kubeProxy[0], names());
    const ns = lab.namespace;
    expect(Object.keys(a[`${ns}/web:http`]!.endpoints).sort()).toEqual([`${lab.pod('web-a').ip}:${podPort}`, `${lab.pod('web-b').ip}:${podPort}`].sort());
    expect(a[`${ns}/web-np`]!.nodePort).toBe(byName('web-np').spec.ports![0]!.nodePort);
    expect(a[`${ns}/empty`]!.noEndpoints).toEqual([`no-endpoints REJECT ${byName('empty').spec.clusterIP}:80`]);
    expect(a[`${ns}/sticky:http`]!.affinitySeconds).toBe(10800);
    expect(a[`${ns}/local`]!.noEndpoints).toEqual([`no-local-endpoints DROP :${byName('local').spec.ports![0]!.nodePort}`]);
  });

  test('observeNode maps every pod veth to its pod and finds flannel.1 (VNI 1) with its peer complete', () => {
    for (const node of lab.nodes) {
      const seen = observed.get(node.short)!;
      const other = lab.nodes.find((n) => n !== node)!;
      const pods = lab.pods.filter((p) => p.node === node);
      expect(seen.veths.map((v) => [v.hostName, v.pod?.name, v.bridge]).sort(), node.name).toEqual(pods.map((p) => [p.hostVeth, p.name, node.bridge]).sort());
      for (const v of seen.veths) expect(v.podAddresses).toEqual([`${lab.pod(v.pod!.name).ip}/24`]);
      expect(seen.veths.every((v) => v.ipCheck.status !== 'contradicted')).toBe(true);
      // A peer of another lab still being set up (its route before its neighbour) is not this lab's conflict.
      const ownConflicts = seen.conflicts.filter((c) => c.kind !== 'tunnel-peer-incomplete' || lab.nodes.some((n) => c.message.startsWith(`${n.podCIDR} `)));
      expect(ownConflicts).toEqual([]);
      const flannel = seen.tunnels.find((t) => t.name === 'flannel.1');
      expect(flannel?.info).toMatchObject({ vni: 1, local: node.ip, port: 8472, device: 'eth0', isLearning: false });
      // Another lab's nodes, registered in the same API server meanwhile, are flannel peers too.
      const ownIPs = new Set(lab.nodes.map((n) => n.ip));
      expect(flannel?.peers.filter((peer) => peer.remote !== null && ownIPs.has(peer.remote))).toEqual([{ podCIDR: other.podCIDR, gateway: other.podCIDR.replace('/24', ''), mac: expect.stringMatching(/^[0-9a-f:]{17}$/), remote: other.ip, missing: [] }]);
      expect(seen.bridges.find((b) => b.name === node.bridge)?.ports.sort()).toEqual(pods.map((p) => p.hostVeth).sort());
    }
  });

  test.runIf(proxyMode === 'iptables')('real traffic to the ClusterIP and the node port moves the parsed counters of the endpoints that answered', async () => {
    const nodeA = lab.node('a');
    const client = lab.pod('client');
    const targetOf = (pod: string) => `${lab.pod(pod).ip}:${podPort}`;
    const cases = [
      { kind: 'cluster-ip', port: `${lab.namespace}/web:http`, url: `http://${byName('web').spec.clusterIP}/` },
      { kind: 'node-port', port: `${lab.namespace}/web-np`, url: `http://${nodeA.ip}:${byName('web-np').spec.ports![0]!.nodePort}/` },
    ] as const;
    /** The frontend's counters and each endpoint's (its jump from KUBE-SVC, its DNAT), parsed from node a's iptables-save -c. */
    const countersOf = async (kind: string, port: string) => {
      const rules = kubeProxyFromIptables(parseIptablesSave((await lab.inNode('a', 'iptables-save', ['-c'])).stdout), 'inet');
      const observedPort = rules.services.find((s) => s.servicePortName === port);
      const endpoints = observedPort?.dispatches.find((d) => d.scope === 'cluster')?.endpoints ?? [];
      return {
        // Summed: a node port has two frontends, 127.0.0.0/8's and any local address's.
        frontend: observedPort?.frontends.filter((f) => f.kind === kind).reduce((sum, f) => sum + (f.counters?.packets ?? NaN), 0) ?? NaN,
        jump: new Map(endpoints.map((e) => [e.target, e.counters?.packets ?? NaN])),
        dnat: new Map(endpoints.map((e) => [e.target, e.dnatCounters?.packets ?? NaN])),
      };
    };
    // Every sync rewrites KUBE-SERVICES and KUBE-NODEPORTS, which resets their counters (kube-proxy
    // logs "Syncing iptables rules" at -v=2): a window in which kube-proxy synced is measured again.
    const syncs = () => (readFileSync(lab.logOf('kube-proxy-a'), 'utf8').match(/Syncing iptables rules/g) ?? []).length;

    for (const { kind, port, url } of cases) {
      // Every request of every attempt, for the capture: the endpoints' own counters keep them all.
      const total = new Map<string, number>();
      for (let attempt = 1; ; attempt++) {
        const syncsBefore = syncs();
        const before = await countersOf(kind, port);
        // Random endpoint choice: ask until both answered.
        const seen = new Map<string, number>();
        for (let i = 0; i < 60 && (seen.size < 2 || i < 6); i++) {
          const reply = (await lab.inPod('client', 'curl', ['-sS', '--max-time', '5', url])).stdout.trim();
          expect(reply).toMatch(/^web-[ab] from \S+$/);
          const target = targetOf(reply.split(' ')[0]!);
          seen.set(target, (seen.get(target) ?? 0) + 1);
          total.set(target, (total.get(target) ?? 0) + 1);
        }
        expect([...seen.keys()].sort()).toEqual([targetOf('web-a'), targetOf('web-b')].sort());
        const after = await countersOf(kind, port);
        if (syncs() !== syncsBefore) {
          if (attempt < 5) continue;
          expect.fail(`kube-proxy synced its rules during each of ${attempt} measurements; see ${lab.logOf('kube-proxy-a')}`);
        }
        const requests = [...seen.values()].reduce((a, b) => a + b, 0);
        // The nat table sees a connection's first packet only: one per request.
        expect(after.frontend - before.frontend, `${kind} frontend`).toBe(requests);
        for (const [target, n] of seen) {
          expect(after.jump.get(target)! - before.jump.get(target)!, `jump to ${target}`).toBe(n);
          expect(after.dnat.get(target)! - before.dnat.get(target)!, `DNAT to ${target}`).toBe(n);
        }
        traffic.push({ servicePortName: port, url, answered: Object.fromEntries(total) });
        console.log(
          `iptables ${kind} ${url} from ${client.name}: ${requests} requests (measurement ${attempt}); frontend +${after.frontend - before.frontend}; ` +
            [...seen].map(([t, n]) => `${t} answered ${n}, jump +${after.jump.get(t)! - before.jump.get(t)!}, DNAT +${after.dnat.get(t)! - before.dnat.get(t)!}`).join('; '),
        );
        break;
      }
    }
  });
});
