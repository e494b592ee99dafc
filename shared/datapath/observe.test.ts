// The mapping from a node's reading to what it shows, over two readings:
// - a lab node read with the real iproute2 (test/fixtures/datapath/make-lab-node.sh: cni0 with
//   two bridged pods, one routed pod, flannel.1 VXLAN with one peer) and the real iptables-save
//   of kube-proxy's reference rules;
// - the reference `ip -j link` of a flannel node (../shared/reference/iproute, kaweezle/iknite:
//   13 pod veths on cni0, flannel.1, eth0 that is itself a veth) with hand-written routes and
//   pod readings.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { observeNode, vethsByPodIP } from './observe.ts';
import { nodeCommands, nodeReadingSchema, podCommands, type CommandResult, type NodeReading, type PodNetnsReading } from './reading.ts';
import { routeFor, routeTo } from './routes.ts';

const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/datapath/${name}`, import.meta.url), 'utf8');
const ok = (command: string, output: string): CommandResult => ({ status: 'ok', command, output });

function labPod(tag: 'a' | 'b' | 'c', nsid: number, name: string): PodNetnsReading {
  return {
    nsid,
    netns: `pp-parsers-lab-pod-${tag}`,
    pod: { namespace: 'shop', name },
    commands: {
      link: ok(podCommands.link, fixture(`lab-node/pod-${tag}-eth0-link.json`)),
      addresses: ok(podCommands.addresses, fixture(`lab-node/pod-${tag}-eth0-addr.json`)),
    },
  };
}

function labReading(): NodeReading {
  const file = (key: keyof typeof nodeCommands, name: string) => ok(nodeCommands[key], fixture(`lab-node/${name}`));
  // nsids as the node's namespace gave them (lab-node/ip-netns-list-id.json).
  const ids = JSON.parse(fixture('lab-node/ip-netns-list-id.json')) as { nsid: number; name: string }[];
  const nsid = (tag: string) => ids.find((i) => i.name === `pp-parsers-lab-pod-${tag}`)?.nsid as number;
  return {
    node: 'lab-1',
    readAt: '2026-01-01T00:00:00Z',
    source: 'netns',
    target: 'pp-parsers-lab-node',
    commands: {
      links: file('links', 'ip-d-link.json'),
      addresses: file('addresses', 'ip-addr.json'),
      routes: file('routes', 'ip-route.json'),
      neighbours: file('neighbours', 'ip-neigh.json'),
      netnsIds: file('netnsIds', 'ip-netns-list-id.json'),
      bridgeLinks: file('bridgeLinks', 'bridge-link.json'),
      fdb: file('fdb', 'bridge-fdb.json'),
      iptables: ok(nodeCommands.iptables, fixture('lab-kube-proxy/iptables-save-c.txt')),
      nftables: { status: 'missing-tool', command: nodeCommands.nftables, message: 'nft: command not found' },
      ipvs: { status: 'unsupported', command: nodeCommands.ipvs, message: "Can't initialize ipvs: Protocol not available" },
    },
    pods: [labPod('a', nsid('a'), 'web-0'), labPod('b', nsid('b'), 'web-1'), labPod('c', nsid('c'), 'routed-0')],
  };
}

describe('a healthy lab node', () => {
  const reading = labReading();
  const node = observeNode(reading);

  test('the reading is valid as it would be stored; a made-up status is not', () => {
    expect(nodeReadingSchema.safeParse(reading).success).toBe(true);
    const odd = { ...reading, commands: { ...reading.commands, ipvs: { status: 'maybe', command: 'ipvsadm -Ln', message: '' } } };
    expect(nodeReadingSchema.safeParse(odd).error?.issues[0]?.path).toEqual(['commands', 'ipvs', 'status']);
  });

  test('maps every veth to its pod and confirms each pod IP', () => {
    expect(node.veths.map((v) => [v.hostName, v.pod?.name, v.podAddresses, v.bridge, v.ipCheck.status])).toEqual([
      ['vetha1b2c3d1', 'web-0', ['10.244.0.2/24'], 'cni0', 'confirmed'],
      ['vetha1b2c3d2', 'web-1', ['10.244.0.3/24'], 'cni0', 'confirmed'],
      ['vethc0ffee01', 'routed-0', ['10.244.0.9/32'], null, 'confirmed'],
    ]);
    const [bridged, , routed] = node.veths;
    expect(bridged?.ipCheck.evidence).toEqual([expect.stringMatching(/^neighbour 10\.244\.0\.2 lladdr \S+ dev cni0$/), expect.stringMatching(/^fdb \S+ dev vetha1b2c3d1 master cni0$/)]);
    expect(routed?.ipCheck.evidence).toEqual(['route 10.244.0.9/32 dev vethc0ffee01', expect.stringMatching(/^neighbour 10\.244\.0\.9 lladdr \S+ dev vethc0ffee01$/)]);
    expect(node.conflicts).toEqual([]);
    expect(vethsByPodIP(node).get('10.244.0.3')?.hostName).toBe('vetha1b2c3d2');
  });

  test('devices, bridge membership and the VXLAN tunnel with its peer', () => {
    expect(Object.fromEntries(node.devices.map((d) => [d.name, [d.kind, d.role]]))).toEqual({
      lo: [null, 'loopback'],
      'pp-up-peer': ['veth', 'other'],
      'pp-up': ['veth', 'uplink'],
      cni0: ['bridge', 'bridge'],
      vetha1b2c3d1: ['veth', 'pod-veth'],
      vetha1b2c3d2: ['veth', 'pod-veth'],
      vethc0ffee01: ['veth', 'pod-veth'],
      'flannel.1': ['vxlan', 'tunnel'],
    });
    expect(node.bridges).toEqual([{ name: 'cni0', ports: ['vetha1b2c3d1', 'vetha1b2c3d2'], addresses: ['10.244.0.1/24', expect.stringMatching(/^fe80::/)] }]);
    expect(node.tunnels).toEqual([
      {
        name: 'flannel.1',
        kind: 'vxlan',
        info: { vni: 1, local: '192.168.0.2', remote: null, group: null, port: 8472, device: 'pp-up', isLearning: false },
        peers: [{ podCIDR: '10.244.1.0/24', gateway: '10.244.1.0', mac: '6e:2a:1d:00:01:00', remote: '192.168.0.3', missing: [] }],
      },
    ]);
    expect(node.devices.find((d) => d.name === 'flannel.1')?.addresses).toEqual(['10.244.0.0/32', expect.stringMatching(/^fe80::/)]);
  });

  test('routes per podCIDR, and the route the kernel would pick', () => {
    expect(routeFor(node.routes, '10.244.0.0/24')).toMatchObject({ dev: 'cni0', protocol: 'kernel', scope: 'link', prefsrc: '10.244.0.1' });
    expect(routeFor(node.routes, '10.244.1.0/24')).toMatchObject({ dev: 'flannel.1', gateway: '10.244.1.0', isOnlink: true });
    expect(routeTo(node.routes, '10.244.1.77')?.dev).toBe('flannel.1');
    expect(routeTo(node.routes, '10.244.0.9')?.dev).toBe('vethc0ffee01');
    expect(routeTo(node.routes, '8.8.8.8')).toMatchObject({ dst: 'default', gateway: '192.168.0.1', dev: 'pp-up' });
    expect(routeFor(node.routes, '10.244.0.1', 'local')).toMatchObject({ type: 'local' });
  });

  test('kube-proxy from iptables, and what could not be read', () => {
    expect(node.kubeProxy.map((k) => [k.mode, k.family, k.services.length])).toEqual([['iptables', 'inet', 6]]);
    expect(node.unread).toEqual([
      { command: 'nft -j list ruleset', status: 'missing-tool', message: 'nft: command not found' },
      { command: 'ipvsadm -Ln', status: 'unsupported', message: "Can't initialize ipvs: Protocol not available" },
    ]);
  });
});

describe('conflicts the lab node reading shows on its own', () => {
  test('a veth whose pod netns was not read, and a pod netns no veth leads to', () => {
    const reading = labReading();
    const stray = reading.pods.splice(1, 1)[0] as PodNetnsReading;
    reading.pods.push({ ...stray, nsid: 42, netns: 'cni-gone', pod: { namespace: 'shop', name: 'ghost-0' } });
    const node = observeNode(reading);
    expect(node.conflicts.map((c) => [c.kind, c.subject])).toEqual([
      ['veth-without-pod', 'veth/vetha1b2c3d2'],
      ['pod-netns-without-veth', 'pod/shop/ghost-0'],
    ]);
    expect(node.veths.find((v) => v.hostName === 'vetha1b2c3d2')).toMatchObject({ pod: null, netns: null });
  });

  test('a neighbour entry pointing the pod IP at another MAC contradicts it', () => {
    const reading = labReading();
    const neigh = JSON.parse(fixture('lab-node/ip-neigh.json')) as { dst: string; lladdr: string }[];
    for (const n of neigh) if (n.dst === '10.244.0.2') n.lladdr = '02:00:00:00:00:99';
    reading.commands.neighbours = ok(nodeCommands.neighbours, JSON.stringify(neigh));
    const node = observeNode(reading);
    expect(node.veths[0]?.ipCheck).toEqual({ status: 'contradicted', evidence: [expect.stringMatching(/^neighbour 10\.244\.0\.2 on cni0 is 02:00:00:00:00:99, the pod's eth0 is /)] });
    expect(node.conflicts.map((c) => [c.kind, c.subject])).toEqual([['pod-ip-contradicted', 'pod/shop/web-0']]);
  });

  test('a VXLAN peer without its FDB entry is incomplete', () => {
    const reading = labReading();
    const fdb = (JSON.parse(fixture('lab-node/bridge-fdb.json')) as { ifname: string }[]).filter((f) => f.ifname !== 'flannel.1');
    reading.commands.fdb = ok(nodeCommands.fdb, JSON.stringify(fdb));
    const node = observeNode(reading);
    expect(node.tunnels[0]?.peers[0]?.missing).toEqual(['fdb']);
    expect(node.conflicts).toEqual([{ kind: 'tunnel-peer-incomplete', subject: 'tunnel/flannel.1', message: expect.stringContaining('10.244.1.0/24 via 10.244.1.0 on flannel.1 has no fdb entry') }]);
  });

  test('output that does not parse is reported, named, and the rest still read', () => {
    const reading = labReading();
    reading.commands.neighbours = ok(nodeCommands.neighbours, '[{"dst": "10.0.0.1", "dev": 3}]');
    const node = observeNode(reading);
    expect(node.unread).toContainEqual({ command: 'ip -j neigh', status: 'unparsable', message: 'ip -j neigh: [0].dev: expected a string, not a number' });
    expect(node.veths).toHaveLength(3);
  });
});

describe('the reference flannel node (iknite)', () => {
  const links = (JSON.parse(fixture('iknite-flannel-node-ip-j-link.json')) as { ip_j_link_show: { ifindex: number; ifname: string; link_netnsid?: number; link_index?: number }[] }).ip_j_link_show;
  const podVeths = links.filter((l) => l.ifname.startsWith('veth'));
  // Hand-written, after the fixture's own `ip -br -4 a` (cni0 10.244.0.1/24, eth0
  // 10.253.141.236/24, flannel.1 10.244.0.0/32): one pod per veth, eth0 ifindex 2 in its netns.
  const addr = (name: string, cidr: string) => {
    const [local, prefixlen] = cidr.split('/');
    return { ifindex: links.find((l) => l.ifname === name)?.ifindex, ifname: name, addr_info: [{ family: 'inet', local, prefixlen: Number(prefixlen), scope: 'global' }] };
  };
  const podReading = (veth: (typeof podVeths)[number], i: number): PodNetnsReading => ({
    nsid: veth.link_netnsid ?? null,
    netns: `cni-${i}`,
    pod: { namespace: 'default', name: `pod-${i}` },
    commands: {
      addresses: ok(
        podCommands.addresses,
        JSON.stringify([{ ifindex: veth.link_index, link_index: veth.ifindex, link_netnsid: 0, ifname: 'eth0', address: `0a:58:0a:f4:00:${(i + 2).toString(16).padStart(2, '0')}`, addr_info: [{ family: 'inet', local: `10.244.0.${i + 2}`, prefixlen: 24, scope: 'global' }] }]),
      ),
    },
  });
  const reading = (pods: PodNetnsReading[]): NodeReading => ({
    node: 'iknite',
    readAt: '2026-01-01T00:00:00Z',
    source: 'local',
    target: 'root',
    commands: {
      links: ok('ip -j link show', JSON.stringify(links)),
      addresses: ok(nodeCommands.addresses, JSON.stringify([addr('cni0', '10.244.0.1/24'), addr('eth0', '10.253.141.236/24'), addr('flannel.1', '10.244.0.0/32')])),
      routes: ok(
        nodeCommands.routes,
        JSON.stringify([
          { dst: 'default', gateway: '10.253.141.1', dev: 'eth0', flags: [] },
          { dst: '10.244.0.0/24', dev: 'cni0', protocol: 'kernel', scope: 'link', prefsrc: '10.244.0.1', flags: [] },
        ]),
      ),
    },
    pods,
  });

  test('maps all 13 veths (link_netnsid 1…13) to their pods; eth0, a veth itself, is the uplink', () => {
    expect(podVeths).toHaveLength(13);
    const node = observeNode(reading(podVeths.map(podReading)));
    expect(node.veths).toHaveLength(13);
    expect(node.veths.every((v, i) => v.pod?.name === `pod-${i}` && v.bridge === 'cni0')).toBe(true);
    expect(node.veths.map((v) => v.peer.netnsid)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(node.devices.find((d) => d.name === 'eth0')?.role).toBe('uplink');
    // Read without -d: no kinds, so cni0 is a bridge by its ports and flannel.1 is unknown.
    expect(node.bridges.map((b) => [b.name, b.ports.length])).toEqual([['cni0', 13]]);
    expect(node.devices.find((d) => d.name === 'flannel.1')).toMatchObject({ kind: null, role: 'other', addresses: ['10.244.0.0/32'] });
    expect(node.conflicts).toEqual([]);
    // What this reading lacks is listed, not guessed: the node's other tables, and each pod's
    // `ip link` (its `ip addr` carries the peer index the mapping needs).
    expect(node.unread.filter((u) => !u.netns).map((u) => u.command)).toEqual(['ip -j neigh', 'ip -j netns list-id', 'bridge -j link', 'bridge -j fdb', 'iptables-save -c', 'nft -j list ruleset', 'ipvsadm -Ln']);
    expect(node.unread.filter((u) => u.netns)).toHaveLength(13);
    expect(node.unread.at(-1)).toEqual({ command: 'ip -j -d link show eth0', netns: 'cni-12', status: 'not-read', message: 'The probe did not run it.' });
  });

  test('a stray veth (its pod netns gone) is a conflict', () => {
    const pods = podVeths.map(podReading).filter((p) => p.nsid !== 7);
    const node = observeNode(reading(pods));
    expect(node.conflicts).toEqual([
      { kind: 'veth-without-pod', subject: 'veth/veth10451890', message: "veth10451890's other end is in netns id 7, which is not one of the pod namespaces read on this node." },
    ]);
  });

  test('a pod whose eth0 points at another host ifindex is a mismatch', () => {
    const pods = podVeths.map(podReading);
    const wrong = pods[0] as PodNetnsReading;
    wrong.commands.addresses = ok(podCommands.addresses, JSON.stringify([{ ifindex: 2, link_index: 99, link_netnsid: 0, ifname: 'eth0', addr_info: [] }]));
    const node = observeNode(reading(pods));
    expect(node.conflicts.map((c) => [c.kind, c.subject])).toEqual([['veth-peer-mismatch', 'veth/vethceed7ade']]);
  });
});
