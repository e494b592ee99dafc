// `ip -j [-d] link`: the reference flannel node (../shared/reference/iproute, kaweezle/iknite,
// read without -d) and the lab node read with the real iproute2 6.1 (make-lab-node.sh).
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { parseIpLink } from './ip-link.ts';
import { DatapathParseError } from './parse-error.ts';

const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/datapath/${name}`, import.meta.url), 'utf8');
const iknite = JSON.stringify((JSON.parse(fixture('iknite-flannel-node-ip-j-link.json')) as { ip_j_link_show: unknown }).ip_j_link_show);

test('the reference flannel node: 17 links, veths on cni0 with their peers’ netns ids', () => {
  const links = parseIpLink(iknite, 'ip -j link show');
  expect(links).toHaveLength(17);
  const veths = links.filter((l) => l.master === 'cni0');
  // (The reference README says 14 veths; the capture has 13, ifindex 3–6 and 8–16.)
  expect(veths).toHaveLength(13);
  expect(veths[0]).toMatchObject({ ifindex: 3, name: 'vethceed7ade', kind: null, mtu: 1450, operstate: 'UP', isUp: true, address: '1e:1f:4f:db:d8:9f', peer: { ifindex: 2, netnsid: 1, name: null } });
  expect(links.find((l) => l.name === 'eth0')?.peer).toEqual({ ifindex: 8, netnsid: 0, name: null });
  expect(links.find((l) => l.name === 'flannel.1')).toMatchObject({ kind: null, tunnel: null, peer: null, operstate: 'UNKNOWN' });
});

test('the lab node with -d: kinds, bridge ports, the VXLAN’s VNI, local address, port and device', () => {
  const links = parseIpLink(fixture('lab-node/ip-d-link.json'));
  expect(links.map((l) => [l.name, l.kind])).toEqual([
    ['lo', null],
    ['pp-up-peer', 'veth'],
    ['pp-up', 'veth'],
    ['cni0', 'bridge'],
    ['vetha1b2c3d1', 'veth'],
    ['vetha1b2c3d2', 'veth'],
    ['vethc0ffee01', 'veth'],
    ['flannel.1', 'vxlan'],
  ]);
  expect(links.find((l) => l.name === 'flannel.1')?.tunnel).toEqual({ vni: 1, local: '192.168.0.2', remote: null, group: null, port: 8472, device: 'pp-up', isLearning: false });
  expect(links.find((l) => l.name === 'vetha1b2c3d1')).toMatchObject({ slaveKind: 'bridge', master: 'cni0', portState: 'forwarding', peer: { ifindex: 2, netnsid: 0 } });
  // A veth whose other end is in the same namespace is named, not numbered.
  expect(links.find((l) => l.name === 'pp-up')?.peer).toEqual({ ifindex: null, netnsid: null, name: 'pp-up-peer' });
  // A pod's eth0, as read inside its netns: its peer is the host end's ifindex.
  expect(parseIpLink(fixture('lab-node/pod-a-eth0-link.json'))[0]).toMatchObject({ name: 'eth0', kind: 'veth', peer: { ifindex: 5, netnsid: 0 } });
});

test('other tunnel kinds: IP-in-IP with "any" unset, WireGuard without info_data', () => {
  const links = parseIpLink(
    JSON.stringify([
      { ifindex: 9, ifname: 'tunl0', flags: ['NOARP', 'UP'], mtu: 1480, link: 'if0', linkinfo: { info_kind: 'ipip', info_data: { proto: 'ip4ip4', remote: 'any', local: 'any', ttl: 0, pmtudisc: true } } },
      { ifindex: 10, ifname: 'wireguard.cali', flags: ['POINTOPOINT', 'NOARP', 'UP'], mtu: 1440, linkinfo: { info_kind: 'wireguard' } },
    ]),
  );
  expect(links[0]).toMatchObject({ kind: 'ipip', tunnel: { vni: null, local: null, remote: null }, peer: { ifindex: 0, netnsid: null, name: null } });
  expect(links[1]).toMatchObject({ kind: 'wireguard', tunnel: null, address: null });
});

test.each([
  ['not JSON', '[{', '', /not JSON/],
  ['an ifindex that is a string', '[{"ifindex": "3", "ifname": "x"}]', '[0].ifindex', /expected a number, not a string/],
  ['a link without a name', '[{"ifindex": 3}]', '[0].ifname', /expected a string, not nothing/],
  ['a VXLAN whose VNI is text', '[{"ifindex": 1, "ifname": "lo"}, {"ifindex": 3, "ifname": "v", "linkinfo": {"info_kind": "vxlan", "info_data": {"id": "one"}}}]', '[1].linkinfo.info_data.id', /expected a number, not a string/],
])('rejects %s, naming the field', (_, text, where, reason) => {
  const error = (() => {
    try {
      parseIpLink(text);
    } catch (e) {
      return e;
    }
  })() as DatapathParseError;
  expect(error).toBeInstanceOf(DatapathParseError);
  expect(error.command).toBe('ip -j -d link');
  expect(error.where).toBe(where);
  expect(error.reason).toMatch(reason);
});
