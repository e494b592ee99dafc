// Derive with a node reading (issue 13): the real lab-node reading (test/fixtures/datapath/
// lab-node, read with iproute2 off a flannel-shaped netns) joined with Kubernetes objects written
// to match it (test/fixtures/datapath/lab-cluster.ts). Node lab-1 is read; lab-2 is not.
import { describe, expect, test } from 'vitest';
import { labObjects, labPodObject, labReading, ok } from '../../test/fixtures/datapath/lab-cluster.ts';
import type { ClusterObjects } from '../kube/objects.ts';
import { derive } from '../topology/derive.ts';
import { applyDelta } from '../topology/diff.ts';
import { IncrementalDerive } from '../topology/incremental.ts';
import { indexReadings, readingsKey } from './join.ts';
import { podCommands, type NodeReading, type PodNetnsReading } from './reading.ts';

const where = 'on node lab-1 via netns/pp-parsers-lab-node, read at 2026-01-01T00:00:00Z';

describe('derive with the reading of lab-1', () => {
  const topology = derive(labObjects(), { datapath: [labReading()] });

  test('each pod on lab-1 gets the host end read there, with the command and how it was recognised', () => {
    const veths = Object.values(topology.veths).filter((v) => v.host === 'node:lab-1');
    expect(veths.map((v) => [v.pod, v.hostEnd.name, v.hostEnd.provenance, v.observation, v.bridge, v.hostRoutes])).toEqual([
      ['pod:uid-web-0', 'vetha1b2c3d1', 'observed', 'found', 'dev:lab-1/bridge', []],
      ['pod:uid-web-1', 'vetha1b2c3d2', 'observed', 'found', 'dev:lab-1/bridge', []],
      // The routed pod is on no bridge, and its /32 route is the one read.
      ['pod:uid-routed-0', 'vethc0ffee01', 'observed', 'found', null, ['10.244.0.9/32']],
    ]);
    expect(veths[0]?.hostEnd.how).toBe(`ip -j -d link ${where}: vetha1b2c3d1 (ifindex 5) link_netnsid 0 link_index 2; netns pp-parsers-lab-pod-a has nsid 0; its netns pp-parsers-lab-pod-a is pod shop/web-0's`);
  });

  test('a node without a reading keeps every inferred fact', () => {
    expect(topology.veths['veth:uid-web-2']?.hostEnd).toMatchObject({ name: null, provenance: 'unknown' });
    expect(topology.veths['veth:uid-web-2']?.observation).toBeUndefined();
    expect(topology.hosts['node:lab-2']?.observed).toBeUndefined();
    expect(topology.devices['dev:lab-2/bridge']).toMatchObject({ name: 'cni0', nameProvenance: 'inferred', addresses: ['10.244.1.1/24'] });
    expect(topology.hosts['node:lab-2']?.routes.map((r) => r.provenance)).toEqual(['inferred', 'inferred']);
    // And the same objects without any reading derive exactly as before.
    const plain = derive(labObjects());
    expect(topology.hosts['node:lab-2']).toEqual(plain.hosts['node:lab-2']);
    expect(plain.veths['veth:uid-web-0']?.hostEnd.provenance).toBe('unknown');
  });

  test('the devices read replace the inferred ones: the uplink by the default route, the bridge, the VXLAN with its VNI and port', () => {
    const device = (key: string) => topology.devices[`dev:lab-1/${key}`];
    expect(device('uplink')).toMatchObject({ name: 'pp-up', nameProvenance: 'observed', addresses: ['192.168.0.2/24'] });
    expect(device('bridge')).toMatchObject({ name: 'cni0', nameProvenance: 'observed', addresses: ['10.244.0.1/24'] });
    expect(device('tunnel')).toMatchObject({ name: 'flannel.1', nameProvenance: 'observed', addresses: ['10.244.0.0/32'], encapsulation: 'vxlan', vni: 1, udpPort: 8472 });
    expect(device('tunnel')?.evidence).toBe(`ip -j -d link and ip -j addr ${where}: flannel.1 (vxlan) VNI 1 port 8472 local 192.168.0.2`);
    expect(topology.hosts['node:lab-1']?.devices).toEqual(['dev:lab-1/uplink', 'dev:lab-1/bridge', 'dev:lab-1/tunnel']);
  });

  test('the routes per podCIDR are the ones read', () => {
    expect(topology.hosts['node:lab-1']?.routes.map((r) => [r.destination, r.via, r.device, r.deviceId, r.isOnlink, r.provenance, r.evidence])).toEqual([
      ['10.244.0.0/24', null, 'cni0', 'dev:lab-1/bridge', false, 'observed', `ip -j route show table all ${where}: 10.244.0.0/24 dev cni0`],
      ['10.244.1.0/24', '10.244.1.0', 'flannel.1', 'dev:lab-1/tunnel', true, 'observed', `ip -j route show table all ${where}: 10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink`],
    ]);
  });

  test('the model keeps what the doctor joins: veths, routes, tunnels, kube-proxy and what was not read', () => {
    const observed = topology.hosts['node:lab-1']?.observed;
    expect(observed).toMatchObject({ readAt: '2026-01-01T00:00:00Z', source: 'netns', target: 'pp-parsers-lab-node', strayNetns: [], conflicts: [] });
    expect(observed?.veths.map((v) => v.hostName)).toEqual(['vetha1b2c3d1', 'vetha1b2c3d2', 'vethc0ffee01']);
    expect(observed?.routes.every((r) => r.table === 'main')).toBe(true);
    expect(observed?.kubeProxy.map((k) => [k.mode, k.services.length])).toEqual([['iptables', 6]]);
    expect(observed?.unread.map((u) => u.command)).toEqual(['nft -j list ruleset', 'ipvsadm -Ln']);
    expect(observed?.read).toEqual(['links', 'addresses', 'routes', 'neighbours', 'netnsIds', 'bridgeLinks', 'fdb', 'iptables']);
  });
});

describe('how a pod is recognised when its netns reading does not name it', () => {
  const hostEnd = (reading: NodeReading, pod = 'web-1') => derive(labObjects(), { datapath: [reading] }).veths[`veth:uid-${pod}`];

  test('by the address eth0 holds in its netns', () => {
    const reading = labReading();
    (reading.pods[1] as PodNetnsReading).pod = null;
    expect(hostEnd(reading)?.hostEnd).toMatchObject({ name: 'vetha1b2c3d2', provenance: 'observed', how: expect.stringMatching(/; eth0 in its netns pp-parsers-lab-pod-b holds 10\.244\.0\.3$/) });
  });

  test('by the bridge: the neighbour entry for its IP and the FDB entry for that MAC, when its netns was not read', () => {
    const reading = labReading();
    reading.pods.splice(1, 1);
    expect(hostEnd(reading)?.hostEnd).toMatchObject({ name: 'vetha1b2c3d2', provenance: 'observed', how: expect.stringMatching(/; neighbour 10\.244\.0\.3 lladdr \S+ dev cni0, fdb \S+ dev vetha1b2c3d2 master cni0$/) });
  });

  test('by its /32 route (a routed pod), when its netns was not read', () => {
    const reading = labReading();
    reading.pods.splice(2, 1);
    expect(hostEnd(reading, 'routed-0')?.hostEnd).toMatchObject({ name: 'vethc0ffee01', how: expect.stringMatching(/; route 10\.244\.0\.9\/32 dev vethc0ffee01$/) });
  });

  test('never by a table entry when the veth\'s netns names another pod', () => {
    // web-1's netns says it is shop/other-0: the neighbour and FDB entries for 10.244.0.3 do not
    // make that veth web-1's.
    const reading = labReading();
    (reading.pods[1] as PodNetnsReading).pod = { namespace: 'shop', name: 'other-0' };
    expect(hostEnd(reading)).toMatchObject({ observation: 'missing', hostEnd: { provenance: 'unknown' } });
  });

  test('a pod younger than the reading is not expected in it; one the reading cannot show is unread', () => {
    const objects = labObjects();
    objects.pods.push(labPodObject('new-0', 'lab-1', '10.244.0.20', { creationTimestamp: '2026-01-01T00:05:00Z' }), labPodObject('old-0', 'lab-1', '10.244.0.21'));
    const topology = derive(objects, { datapath: [labReading()] });
    expect(topology.veths['veth:uid-new-0']?.observation).toBe('created-after-reading');
    expect(topology.veths['veth:uid-old-0']?.observation).toBe('missing');
    const unreadable = labReading();
    (unreadable.pods[0] as PodNetnsReading).pod = null;
    (unreadable.pods[0] as PodNetnsReading).commands.addresses = { status: 'permission-denied', command: podCommands.addresses, message: 'Operation not permitted' };
    expect(derive(objects, { datapath: [unreadable] }).veths['veth:uid-old-0']?.observation).toBe('unread');
  });
});

test('on an unknown CNI, the bridge, tunnel and pod routes read are added: the rules predicted none', () => {
  const objects = labObjects();
  objects.daemonSets = [];
  objects.configMaps = [];
  const topology = derive(objects, { datapath: [labReading()] });
  expect(topology.cluster.cni.value.name).toBe('unknown');
  expect(topology.hosts['node:lab-1']?.devices).toEqual(['dev:lab-1/uplink', 'dev:lab-1/bridge', 'dev:lab-1/tunnel']);
  expect(topology.devices['dev:lab-1/tunnel']).toMatchObject({ type: 'tunnel', name: 'flannel.1', nameProvenance: 'observed', encapsulation: 'vxlan' });
  expect(topology.hosts['node:lab-1']?.routes.map((r) => [r.destination, r.scope, r.peer, r.device, r.provenance])).toEqual([
    ['10.244.0.0/24', 'local', null, 'cni0', 'observed'],
    ['10.244.1.0/24', 'peer', 'node:lab-2', 'flannel.1', 'observed'],
  ]);
  expect(topology.veths['veth:uid-web-0']).toMatchObject({ bridge: 'dev:lab-1/bridge', hostEnd: { name: 'vetha1b2c3d1', provenance: 'observed' } });
  expect(topology.hosts['node:lab-2']?.devices).toEqual(['dev:lab-2/uplink']);
});

test('the latest reading of a node wins, and readings of the same instant are the same key', () => {
  const older = { ...labReading(), readAt: '2025-12-31T00:00:00Z', target: 'older' };
  expect(indexReadings([labReading(), older]).get('lab-1')?.observation.target).toBe('pp-parsers-lab-node');
  expect(readingsKey([labReading()])).toBe(readingsKey([labReading()]));
  expect(readingsKey([labReading()])).not.toBe(readingsKey([older]));
});

describe('the incremental derive with a reading', () => {
  const change = (objects: ClusterObjects, name: string, edit: (pod: ClusterObjects['pods'][number]) => void) => {
    const pod = structuredClone(objects.pods.find((p) => p.metadata.name === name)!);
    edit(pod);
    objects.pods[objects.pods.findIndex((p) => p.metadata.name === name)] = pod;
    return { kind: 'pods' as const, uid: pod.metadata.uid, object: pod };
  };

  test('a pod change is joined with the reading the context holds, and equals the full derive', () => {
    const objects = labObjects();
    const source = { datapath: [labReading()] };
    const live = new IncrementalDerive(objects, source);
    const before = live.topology;
    const delta = live.update([change(objects, 'web-0', (p) => (p.metadata.labels = { app: 'web', rollout: '2' }))], objects, source, 1);
    expect(delta.updated.map((e) => e.id)).toEqual(['pod:uid-web-0']);
    expect(live.topology.veths['veth:uid-web-0']?.hostEnd.name).toBe('vetha1b2c3d1');
    expect(live.topology).toEqual(derive(objects, source));
    expect(applyDelta(before, delta)).toEqual(live.topology);
  });

  test('a new reading (another readAt) forces a full derive, whose delta carries the new facts', () => {
    const objects = labObjects();
    const live = new IncrementalDerive(objects, {});
    const before = live.topology;
    expect(before.veths['veth:uid-web-0']?.hostEnd.provenance).toBe('unknown');
    const source = { datapath: [labReading()] };
    const delta = live.update([change(objects, 'web-2', (p) => (p.metadata.labels = { app: 'web', rollout: '3' }))], objects, source, 1);
    expect(live.topology).toEqual(derive(objects, source));
    expect(delta.updated.map((e) => e.id)).toEqual(expect.arrayContaining(['veth:uid-web-0', 'dev:lab-1/uplink', 'node:lab-1', 'pod:uid-web-2']));
    expect(applyDelta(before, delta)).toEqual(live.topology);
    // The same readings again, in a new array: still incremental (only the changed pod).
    const again = live.update([change(objects, 'web-2', (p) => (p.metadata.labels = { app: 'web', rollout: '4' }))], objects, { datapath: [labReading()] }, 2);
    expect(again.updated.map((e) => e.id)).toEqual(['pod:uid-web-2']);
  });

  test('a reading whose output does not parse is unread, not a crash', () => {
    const reading = labReading();
    reading.commands.links = ok('ip -j -d link', '{not json');
    delete reading.commands.addresses;
    const topology = derive(labObjects(), { datapath: [reading] });
    expect(topology.hosts['node:lab-1']?.observed?.unread.map((u) => [u.command, u.status])).toContainEqual(['ip -j -d link', 'unparsable']);
    expect(topology.veths['veth:uid-web-0']?.observation).toBe('unread');
  });
});
