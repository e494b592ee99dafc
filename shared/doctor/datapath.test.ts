// The doctor's datapath checks (issue 13), through diagnose(): the healthy lab (the real reading
// of lab-1 and the objects that match it, test/fixtures/datapath/lab-cluster.ts) has no
// conflict, and each kind fires on a variant broken in one place — in the objects or in the
// reading — with its subject, evidence and fix.
import { describe, expect, test } from 'vitest';
import { fixture, labNode, labObjects, labPodObject, labReading, ok } from '../../test/fixtures/datapath/lab-cluster.ts';
import { nodeCommands, podCommands, type NodeReading, type PodNetnsReading } from '../datapath/reading.ts';
import type { ClusterObjects } from '../kube/objects.ts';
import { derive } from '../topology/derive.ts';
import { diagnose } from './doctor.ts';
import type { Problem } from './types.ts';

const where = 'on node lab-1 via netns/pp-parsers-lab-node, read at 2026-01-01T00:00:00Z';

function problems(objects: ClusterObjects = labObjects(), reading: NodeReading | null = labReading()): Problem[] {
  return diagnose(derive(objects, reading ? { datapath: [reading] } : {})).filter((p) => p.kind.startsWith('datapath-'));
}
const brief = (list: Problem[]) => list.map((p) => [p.severity, p.kind, p.subject]);

test('the healthy lab: no conflict, and once, as info, what could not be read and why', () => {
  const found = problems();
  expect(brief(found)).toEqual([['info', 'datapath-unread', 'node/lab-1']]);
  expect(found[0]).toMatchObject({
    subjectId: 'node:lab-1',
    message: "2 reads of lab-1's datapath did not succeed (nft -j list ruleset, ipvsadm -Ln): what needs them is not checked there",
    why: [`read ${where}`, 'nft -j list ruleset: missing-tool: nft: command not found', "ipvsadm -Ln: unsupported: Can't initialize ipvs: Protocol not available"],
    fix: expect.stringContaining('iproute2, iptables and nftables'),
  });
});

test('no reading, no datapath problem: nodes without one are not checked', () => {
  const objects = labObjects();
  objects.pods.push(labPodObject('ghost-0', 'lab-2', '10.244.1.7'));
  expect(problems(objects, null)).toEqual([]);
});

describe('pods, veths and pod netns', () => {
  test('a pod the API places on lab-1 that its datapath has no veth and no route for', () => {
    const objects = labObjects();
    objects.pods.push(labPodObject('ghost-0', 'lab-1', '10.244.0.7'));
    const [problem] = problems(objects).filter((p) => p.kind === 'datapath-pod-without-veth');
    expect(problem).toMatchObject({
      severity: 'error',
      subject: 'pod/shop/ghost-0',
      subjectId: 'pod:uid-ghost-0',
      message: "the API places shop/ghost-0 (10.244.0.7) on lab-1, but lab-1's datapath has no veth to it and no route for its IP: nothing reaches the pod there",
      why: ['spec.nodeName: lab-1; status.podIPs: 10.244.0.7', `read ${where}: 3 pod veths, none whose netns is this pod's or holds 10.244.0.7`, 'ip -j route show table all: no route for 10.244.0.7/32 in table main'],
      fix: expect.stringContaining('kubectl -n shop delete pod ghost-0'),
      related: ['node:lab-1'],
    });
  });

  test('…but not for a pod younger than the reading, nor when the routes could not be read', () => {
    const objects = labObjects();
    objects.pods.push(labPodObject('new-0', 'lab-1', '10.244.0.7', { creationTimestamp: '2026-01-01T00:00:01Z' }));
    expect(brief(problems(objects))).toEqual([['info', 'datapath-unread', 'node/lab-1']]);
    const ghost = labObjects();
    ghost.pods.push(labPodObject('ghost-0', 'lab-1', '10.244.0.7'));
    const reading = labReading();
    // (A probe may spell the command its own way: what counts is the key it was read under.)
    reading.commands.routes = { status: 'permission-denied', command: 'ip -4 -j route show table all', message: 'Operation not permitted' };
    const found = problems(ghost, reading);
    expect(brief(found)).toEqual([['info', 'datapath-unread', 'node/lab-1']]);
    expect(found[0]?.why).toContain('ip -4 -j route show table all: permission-denied: Operation not permitted');
  });

  test('a pod whose netns was read but that no veth leads to: the pod\'s problem, saying so', () => {
    const reading = labReading();
    reading.pods.push({ nsid: 42, netns: 'cni-ghost', pod: { namespace: 'shop', name: 'ghost-0' }, commands: {} });
    const objects = labObjects();
    objects.pods.push(labPodObject('ghost-0', 'lab-1', '10.244.0.7'));
    const found = problems(objects, reading).filter((p) => p.kind.startsWith('datapath-') && p.kind !== 'datapath-unread');
    expect(brief(found)).toEqual([['error', 'datapath-pod-without-veth', 'pod/shop/ghost-0']]);
    expect(found[0]?.why.at(-1)).toBe('its netns cni-ghost was read, but no veth in the root netns leads to it');
  });

  test('a veth no pod owns: its pod is gone from the API', () => {
    const objects = labObjects();
    objects.pods = objects.pods.filter((p) => p.metadata.name !== 'web-1');
    const found = problems(objects).filter((p) => p.kind === 'datapath-veth-without-pod');
    expect(found).toEqual([
      {
        kind: 'datapath-veth-without-pod',
        severity: 'warning',
        subject: 'node/lab-1',
        subjectId: 'node:lab-1',
        message: 'veth vetha1b2c3d2 on lab-1 belongs to no pod the API places there: it leads to netns pp-parsers-lab-pod-b (pod shop/web-1, eth0 10.244.0.3/24)',
        why: [`read ${where}: vetha1b2c3d2 (ifindex 6) link_netnsid 1 link_index 2; netns pp-parsers-lab-pod-b has nsid 1`, expect.stringContaining('a leftover of a pod deleted')],
        fix: expect.stringContaining('crictl'),
        related: [],
      },
    ]);
  });

  test('a veth whose netns was not read is still its pod\'s, joined by the bridge\'s neighbour and FDB entries: no problem', () => {
    const reading = labReading();
    reading.pods.splice(1, 1);
    expect(brief(problems(labObjects(), reading))).toEqual([['info', 'datapath-unread', 'node/lab-1']]);
  });

  test('a veth into a netns no pod was read for, when nothing else ties it to a pod', () => {
    const reading = labReading();
    reading.pods.splice(1, 1);
    const objects = labObjects();
    objects.pods = objects.pods.filter((p) => p.metadata.name !== 'web-1');
    expect(problems(objects, reading).find((p) => p.kind === 'datapath-veth-without-pod')?.message).toBe(
      'veth vetha1b2c3d2 on lab-1 belongs to no pod the API places there: its other end is in netns id 1, none of the pod netns read',
    );
  });

  test('a pod netns with no veth and no pod in the API', () => {
    const reading = labReading();
    reading.pods.push({ nsid: 42, netns: 'cni-left-over', pod: null, commands: { addresses: ok(podCommands.addresses, '[{"ifindex":2,"ifname":"eth0","addr_info":[{"family":"inet","local":"10.244.0.40","prefixlen":24,"scope":"global"}]}]') } });
    expect(problems(labObjects(), reading).filter((p) => p.kind === 'datapath-netns-without-pod')).toEqual([
      expect.objectContaining({ severity: 'warning', subject: 'node/lab-1', message: 'pod netns cni-left-over on lab-1, eth0 10.244.0.40/24, has no veth and no pod in the API on lab-1' }),
    ]);
  });

  test('the API and the pod netns disagree on the pod\'s address', () => {
    const objects = labObjects();
    const web0 = objects.pods.find((p) => p.metadata.name === 'web-0')!;
    web0.status = { ...web0.status, podIP: '10.244.0.50', podIPs: [{ ip: '10.244.0.50' }] };
    expect(problems(objects).find((p) => p.kind === 'datapath-pod-ip-mismatch')).toMatchObject({
      severity: 'warning',
      subject: 'pod/shop/web-0',
      message: 'the API says shop/web-0 has 10.244.0.50, but eth0 in its netns on lab-1 holds 10.244.0.2: traffic to the API\'s address does not reach it',
    });
  });

  test('the reading\'s own conflicts: a pod IP the neighbour table sends to another MAC, and a veth whose ends disagree', () => {
    const reading = labReading();
    const neigh = JSON.parse(fixture('lab-node/ip-neigh.json')) as { dst: string; lladdr: string }[];
    for (const n of neigh) if (n.dst === '10.244.0.2') n.lladdr = '02:00:00:00:00:99';
    reading.commands.neighbours = ok(nodeCommands.neighbours, JSON.stringify(neigh));
    const podC = reading.pods[2] as PodNetnsReading;
    const link = JSON.parse(fixture('lab-node/pod-c-eth0-link.json')) as { link_index: number }[];
    link[0]!.link_index = 99;
    podC.commands.link = ok(podCommands.link, JSON.stringify(link));
    const found = problems(labObjects(), reading).filter((p) => p.kind !== 'datapath-unread');
    expect(brief(found)).toEqual([
      ['error', 'datapath-pod-ip-contradicted', 'pod/shop/web-0'],
      ['warning', 'datapath-veth-peer-mismatch', 'node/lab-1'],
    ]);
    expect(found[0]?.message).toMatch(/^on lab-1, the tables send shop\/web-0's address elsewhere: 10\.244\.0\.2\/24 on vetha1b2c3d1: neighbour 10\.244\.0\.2 on cni0 is 02:00:00:00:00:99/);
  });
});

describe('tunnel peers', () => {
  test('a node with a podCIDR that lab-1 has no route to', () => {
    const objects = labObjects();
    objects.nodes.push(labNode('lab-3', '10.244.2.0/24', '192.168.0.4'));
    expect(problems(objects).filter((p) => p.kind === 'datapath-tunnel-peer-missing')).toEqual([
      {
        kind: 'datapath-tunnel-peer-missing',
        severity: 'error',
        subject: 'node/lab-1',
        subjectId: 'node:lab-1',
        message: "lab-1 has no route to node lab-3's pods (10.244.2.0/24): its pods' traffic to them takes default dev pp-up instead of the tunnel",
        why: [`read ${where} (ip -j route show table all): no route for 10.244.2.0/24 in table main`, 'Node lab-3: pod range 10.244.2.0/24'],
        fix: expect.stringContaining('the CNI agent on lab-1 has not programmed lab-3'),
        related: ['node:lab-3'],
      },
    ]);
  });

  test('a VXLAN peer without its FDB entry; not concluded when the FDB could not be read', () => {
    const reading = labReading();
    const fdb = (JSON.parse(fixture('lab-node/bridge-fdb.json')) as { ifname: string }[]).filter((f) => f.ifname !== 'flannel.1');
    reading.commands.fdb = ok(nodeCommands.fdb, JSON.stringify(fdb));
    const found = problems(labObjects(), reading).filter((p) => p.kind === 'datapath-tunnel-peer-missing');
    expect(brief(found)).toEqual([['error', 'datapath-tunnel-peer-missing', 'node/lab-1']]);
    expect(found[0]).toMatchObject({ message: "lab-1's flannel.1 has no FDB entry for 6e:2a:1d:00:01:00: node lab-2's pods behind 10.244.1.0/24 are unreachable from it", related: ['node:lab-2'] });
    const unread = labReading();
    unread.commands.fdb = { status: 'failed', command: nodeCommands.fdb, exitCode: 1, message: 'bridge: not found' };
    expect(brief(problems(labObjects(), unread))).toEqual([['info', 'datapath-unread', 'node/lab-1']]);
  });
});

describe('kube-proxy rules against the EndpointSlices', () => {
  const slice = (objects: ClusterObjects, service: string) => objects.endpointSlices.find((s) => s.metadata.labels?.['kubernetes.io/service-name'] === service)!;

  test('rules pointing at an endpoint that is gone from the EndpointSlices', () => {
    const objects = labObjects();
    const svc4 = slice(objects, 'svc4');
    svc4.endpoints = svc4.endpoints!.filter((e) => !e.addresses.includes('10.180.0.4'));
    const found = problems(objects).filter((p) => p.kind.startsWith('datapath-endpoint'));
    expect(brief(found)).toEqual([['error', 'datapath-endpoint-gone', 'service/ns4/svc4']]);
    expect(found[0]).toMatchObject({
      message: 'kube-proxy on lab-1 sends ns4/svc4:p80 to 10.180.0.4:80, which no EndpointSlice of the Service lists: those connections fail, or reach whatever holds the address now',
      why: [`read ${where} (kube-proxy iptables rules)`, expect.stringMatching(/^KUBE-SEP-\w+ → 10\.180\.0\.4:80 \(--probability 0\.50+; \d+ packets\)$/), 'EndpointSlices of ns4/svc4: 10.180.0.5:80'],
      fix: expect.stringContaining('--field-selector spec.nodeName=lab-1'),
    });
  });

  test('rules missing a ready endpoint: a warning while others serve, an error when none does', () => {
    const objects = labObjects();
    slice(objects, 'svc1').endpoints!.push({ addresses: ['10.180.0.9'], conditions: { ready: true } });
    // svc3's only endpoint, made not ready: kube-proxy keeping it is not a problem of this check.
    slice(objects, 'svc3').endpoints![0]!.conditions = { ready: false, serving: false };
    // svc6 had no endpoint when the rules were written (they REJECT); now it has a ready one.
    objects.endpointSlices.push({
      metadata: { name: 'svc6-1', namespace: 'ns6', uid: 'uid-svc6-1', labels: { 'kubernetes.io/service-name': 'svc6' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.180.0.6'], conditions: { ready: true } }],
      ports: [{ name: 'p80', port: 80, protocol: 'TCP' }],
    });
    const found = problems(objects).filter((p) => p.kind.startsWith('datapath-endpoint'));
    expect(brief(found)).toEqual([
      ['error', 'datapath-endpoint-missing', 'service/ns6/svc6'],
      ['warning', 'datapath-endpoint-missing', 'service/ns1/svc1'],
    ]);
    expect(found[0]?.message).toBe('kube-proxy on lab-1 leaves out 10.180.0.6, ready in the Service\'s EndpointSlices: ns6/svc6:p80 from lab-1 reaches no endpoint');
    expect(found[0]?.why[1]).toMatch(/^rules for ns6\/svc6:p80: no endpoint \(REJECT, no-endpoints: filter KUBE-SERVICES line \d+\)$/);
    expect(found[1]?.message).toBe('kube-proxy on lab-1 leaves out 10.180.0.9, ready in the Service\'s EndpointSlices: lab-1 spreads ns1/svc1:p80 over the others only');
  });

  test('IPVS, whose rules name no Service: joined by the virtual service\'s address, or a node port', () => {
    // ipvsadm.c's formats, as in ipvsadm-Ln.txt: svc1's ClusterIP and svc3's NodePort 3003 on
    // the node's address, each with its endpoint and one that is gone.
    const ipvs = [
      'IP Virtual Server version 1.2.1 (size=4096)',
      'Prot LocalAddress:Port Scheduler Flags',
      '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
      'TCP  172.30.0.41:80 rr',
      '  -> 10.180.0.1:80                Masq    1      0          0         ',
      '  -> 10.180.0.77:80               Masq    1      0          0         ',
      'TCP  192.168.0.2:3003 rr',
      '  -> 10.180.0.3:80                Masq    1      0          0         ',
      '  -> 10.180.0.78:80               Masq    1      0          0         ',
      '',
    ].join('\n');
    const reading = labReading();
    delete reading.commands.iptables;
    reading.commands.ipvs = ok(nodeCommands.ipvs, ipvs);
    const found = problems(labObjects(), reading).filter((p) => p.kind.startsWith('datapath-endpoint'));
    expect(brief(found)).toEqual([
      ['error', 'datapath-endpoint-gone', 'service/ns1/svc1'],
      ['error', 'datapath-endpoint-gone', 'service/ns3/svc3'],
    ]);
    expect(found[0]?.message).toMatch(/^kube-proxy on lab-1 sends ns1\/svc1:p80 to 10\.180\.0\.77:80, which no EndpointSlice/);
    expect(found[1]?.message).toMatch(/^kube-proxy on lab-1 sends ns3\/svc3:p80 to 10\.180\.0\.78:80, /);
    expect(found[0]?.why[0]).toBe(`read ${where} (kube-proxy ipvs rules)`);
  });
});
