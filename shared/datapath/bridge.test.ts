// `bridge -j link` and `bridge -j fdb` as the real iproute2 6.1 printed them for the lab node
// (test/fixtures/datapath/make-lab-node.sh).
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { parseBridgeFdb, parseBridgeLink } from './bridge.ts';
import { DatapathParseError } from './parse-error.ts';

const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/datapath/lab-node/${name}`, import.meta.url), 'utf8');

test('bridge ports with their bridge and state', () => {
  expect(parseBridgeLink(fixture('bridge-link.json'))).toEqual([
    { ifindex: 5, name: 'vetha1b2c3d1', master: 'cni0', state: 'forwarding', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'] },
    { ifindex: 6, name: 'vetha1b2c3d2', master: 'cni0', state: 'forwarding', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'] },
  ]);
});

test('FDB: learned pod MACs on bridge ports, and the VXLAN entry with its remote', () => {
  const fdb = parseBridgeFdb(fixture('bridge-fdb.json'));
  expect(fdb.find((f) => f.dev === 'flannel.1')).toEqual({ mac: '6e:2a:1d:00:01:00', dev: 'flannel.1', dst: '192.168.0.3', master: null, vlan: null, vni: null, state: 'permanent', flags: ['self'] });
  const learned = fdb.filter((f) => f.master === 'cni0' && f.state === null);
  expect(learned.map((f) => f.dev)).toEqual(['vetha1b2c3d1', 'vetha1b2c3d2']);
});

test.each([
  [() => parseBridgeLink('[{"ifindex": 5}]'), 'bridge -j link: [0].ifname: expected a string, not nothing'],
  [() => parseBridgeFdb('[{"mac": "aa:bb:cc:dd:ee:ff", "ifname": "x", "dst": 7}]'), 'bridge -j fdb: [0].dst: expected a string, not a number'],
  [() => parseBridgeFdb('{"mac": 1}'), 'bridge -j fdb: expected an array, not an object'],
])('rejects malformed output naming the field (%#)', (parse, message) => {
  expect(parse).toThrow(DatapathParseError);
  expect(parse).toThrow(message);
});
