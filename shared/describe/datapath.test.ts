// `podpath describe` on a model with a node reading (issue 13): the fields a script reads —
// pods[].veth {hostName, provenance, evidence}, nodes[].devices[] {name, kind, provenance},
// nodes[].datapath, the top-level problems[] — and the text form saying observed or inferred.
import { describe, expect, test } from 'vitest';
import { labObjects, labPodObject, labReading } from '../../test/fixtures/datapath/lab-cluster.ts';
import { diagnose } from '../doctor/doctor.ts';
import { derive } from '../topology/derive.ts';
import { describeTopology } from './build.ts';
import { formatDescribe } from './format.ts';

const objects = labObjects();
objects.pods.push(labPodObject('ghost-0', 'lab-1', '10.244.0.7'));
const topology = derive(objects, { datapath: [labReading()] });
const doc = describeTopology(topology);
const pod = (name: string) => doc.pods.find((p) => p.name === name);

describe('describe --json with a reading of lab-1', () => {
  test('pods[].veth: the observed host end with its evidence; a pod on an unread node keeps the inferred one', () => {
    expect(pod('web-0')?.veth).toMatchObject({
      hostName: 'vetha1b2c3d1',
      provenance: 'observed',
      evidence: expect.stringMatching(/^ip -j -d link on node lab-1 via netns\/pp-parsers-lab-node, read at 2026-01-01T00:00:00Z: vetha1b2c3d1 /),
      observation: 'found',
      bridge: { id: 'dev:lab-1/bridge', name: 'cni0', addresses: ['10.244.0.1/24'] },
    });
    expect(pod('ghost-0')?.veth).toMatchObject({ hostName: null, provenance: 'unknown', observation: 'missing' });
    expect(pod('web-2')?.veth).toMatchObject({ hostName: null, provenance: 'unknown', observation: null, evidence: expect.stringContaining('only a node probe can tell') });
  });

  test('nodes[].devices: name, kind and provenance; nodes[].datapath: when, from where, what was not read', () => {
    const [lab1, lab2] = doc.nodes;
    expect(lab1?.devices.map((d) => [d.name, d.kind, d.provenance])).toEqual([
      ['pp-up', 'uplink', 'observed'],
      ['cni0', 'bridge', 'observed'],
      ['flannel.1', 'tunnel', 'observed'],
    ]);
    expect(lab2?.devices.map((d) => [d.name, d.kind, d.provenance])).toEqual([
      [null, 'uplink', 'unknown'],
      ['cni0', 'bridge', 'inferred'],
      ['flannel.1', 'tunnel', 'inferred'],
    ]);
    expect(lab1?.datapath).toEqual({
      readAt: '2026-01-01T00:00:00Z',
      source: 'netns',
      target: 'pp-parsers-lab-node',
      unread: [
        { command: 'nft -j list ruleset', status: 'missing-tool', message: 'nft: command not found' },
        { command: 'ipvsadm -Ln', status: 'unsupported', message: "Can't initialize ipvs: Protocol not available" },
      ],
      veths: 3,
      podVeths: 3,
      kubeProxy: [{ mode: 'iptables', family: 'inet', servicePorts: 6 }],
    });
    expect(lab2?.datapath).toBeNull();
    expect(lab1?.routes.map((r) => r.provenance)).toEqual(['observed', 'observed', 'observed']);
  });

  test('problems[]: the doctor\'s, all of them, errors first, with severity, subject and message', () => {
    expect(doc.problems).toEqual(diagnose(topology));
    expect(doc.problems.find((p) => p.kind === 'datapath-pod-without-veth')).toMatchObject({ severity: 'error', subject: 'pod/shop/ghost-0', message: expect.stringContaining('has no veth to it') });
    expect(doc.problems.map((p) => p.severity)).toEqual([...doc.problems.map((p) => p.severity)].sort((a, b) => ['error', 'warning', 'info'].indexOf(a) - ['error', 'warning', 'info'].indexOf(b)));
    expect(JSON.parse(JSON.stringify(doc)).problems).toEqual(doc.problems);
  });
});

test('the text form says which node was read and which is inferred, marks each fact, and lists the problems', () => {
  const text = formatDescribe(doc);
  expect(text).toContain('    datapath    observed: read 2026-01-01T00:00:00Z via netns/pp-parsers-lab-node; 3 of 3 veths joined to pods; kube-proxy iptables inet: 6 Service ports');
  expect(text).toContain('      ! not read: nft -j list ruleset: missing-tool: nft: command not found');
  expect(text).toContain('    datapath    inferred from the API and the CNI (no node reading)');
  expect(text).toContain('      bridge  cni0 [observed]  10.244.0.1/24');
  expect(text).toContain('      bridge  cni0 [inferred]  10.244.1.1/24');
  expect(text).toContain('      shop/web-0  10.244.0.2  Running  veth vetha1b2c3d1 [observed]');
  expect(text).toContain('      10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink [observed]');
  expect(text).toMatch(/\nProblems \(\d+ errors?, \d+ warnings?, \d+ info\)\n {2}error {3}pod\/shop\/ghost-0: the API places shop\/ghost-0/);
});
