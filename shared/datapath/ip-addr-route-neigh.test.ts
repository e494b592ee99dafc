// `ip -j addr`, `ip -j route show table all`, `ip -j neigh` and `ip -j netns list-id`, as the
// real iproute2 6.1 printed them for the lab node (test/fixtures/datapath/make-lab-node.sh).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseIpAddr } from './ip-addr.ts';
import { parseIpNeigh, parseNetnsIds } from './ip-neigh.ts';
import { parseIpRoute } from './ip-route.ts';
import type { DatapathParseError } from './parse-error.ts';

const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/datapath/lab-node/${name}`, import.meta.url), 'utf8');
const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e as DatapathParseError;
  }
  throw new Error('no error');
};

describe('parseIpAddr', () => {
  test('addresses with prefix and scope; a pod’s eth0 with its peer', () => {
    const rows = parseIpAddr(fixture('ip-addr.json'));
    expect(rows.find((r) => r.name === 'cni0')?.addresses[0]).toEqual({ family: 'inet', local: '10.244.0.1', prefixlen: 24, cidr: '10.244.0.1/24', scope: 'global', peer: null });
    expect(rows.find((r) => r.name === 'flannel.1')?.addresses.map((a) => a.cidr)[0]).toBe('10.244.0.0/32');
    const [eth0] = parseIpAddr(fixture('pod-c-eth0-addr.json'), 'ip -j addr show eth0');
    expect(eth0).toMatchObject({ name: 'eth0', peer: { ifindex: 7, netnsid: 0 } });
    expect(eth0?.addresses.map((a) => [a.cidr, a.scope])).toEqual([['10.244.0.9/32', 'global'], [expect.stringMatching(/^fe80::/), 'link']]);
  });
  test('rejects a prefix length that is not a number', () => {
    const error = errorOf(() => parseIpAddr('[{"ifindex": 1, "ifname": "lo", "addr_info": [{"family": "inet", "local": "127.0.0.1", "prefixlen": "8"}]}]'));
    expect(error.message).toBe('ip -j addr: [0].addr_info[0].prefixlen: expected a number, not a string');
  });
});

describe('parseIpRoute', () => {
  const routes = parseIpRoute(fixture('ip-route.json'));
  test('fills in what iproute2 leaves out: main table, unicast, /32 on host routes', () => {
    expect(routes.find((r) => r.dst === 'default')).toMatchObject({ table: 'main', type: 'unicast', family: 'inet', gateway: '192.168.0.1', dev: 'pp-up' });
    expect(routes.find((r) => r.dst === '10.244.0.9/32')).toMatchObject({ dev: 'vethc0ffee01', scope: 'link', table: 'main' });
    expect(routes.find((r) => r.dst === '10.244.1.0/24')).toMatchObject({ gateway: '10.244.1.0', dev: 'flannel.1', isOnlink: true, flags: ['onlink'] });
    expect(routes.find((r) => r.table === 'local' && r.dst === '10.244.0.1/32')).toMatchObject({ type: 'local', scope: 'host', protocol: 'kernel' });
    expect(routes.find((r) => r.dst === 'fe80::/64')).toMatchObject({ family: 'inet6', metric: 256 });
  });
  test('multipath next hops and a next hop of the other family', () => {
    const [multi, via] = parseIpRoute(
      JSON.stringify([
        { dst: '10.0.0.0/8', flags: [], nexthops: [{ gateway: '192.168.0.1', dev: 'eth0', weight: 1, flags: [] }, { gateway: '192.168.1.1', dev: 'eth1', weight: 2, flags: [] }] },
        { dst: '10.1.0.0/16', via: { family: 'inet6', host: 'fe80::1' }, dev: 'eth0', flags: [] },
      ]),
    );
    expect(multi?.nexthops.map((n) => [n.gateway, n.dev, n.weight])).toEqual([['192.168.0.1', 'eth0', 1], ['192.168.1.1', 'eth1', 2]]);
    expect(via).toMatchObject({ gateway: 'fe80::1', family: 'inet6' });
  });
  test('rejects a route without a destination', () => {
    expect(errorOf(() => parseIpRoute('[{"dev": "eth0"}]')).message).toBe('ip -j route show table all: [0].dst: expected a string, not nothing');
  });
});

describe('parseIpNeigh and parseNetnsIds', () => {
  test('neighbours with MAC and state; a router flag; an entry still resolving', () => {
    const neighbours = parseIpNeigh(fixture('ip-neigh.json'));
    expect(neighbours.find((n) => n.dev === 'flannel.1')).toEqual({ dst: '10.244.1.0', dev: 'flannel.1', lladdr: '6e:2a:1d:00:01:00', state: ['PERMANENT'], isRouter: false });
    const [router, failed] = parseIpNeigh('[{"dst":"192.168.0.1","dev":"eth0","lladdr":"aa:bb:cc:dd:ee:ff","router":null,"state":["STALE"]},{"dst":"10.0.0.9","dev":"eth0","state":["FAILED"]}]');
    expect(router?.isRouter).toBe(true);
    expect(failed).toMatchObject({ lladdr: null, state: ['FAILED'] });
  });
  test('netns ids with their names', () => {
    expect(parseNetnsIds(fixture('ip-netns-list-id.json'))).toEqual([
      { nsid: 0, name: 'pp-parsers-lab-pod-a' },
      { nsid: 1, name: 'pp-parsers-lab-pod-b' },
      { nsid: 2, name: 'pp-parsers-lab-pod-c' },
    ]);
    expect(parseNetnsIds('')).toEqual([]);
    expect(errorOf(() => parseNetnsIds('[{"nsid": -1}]')).where).toBe('[0].nsid');
  });
  test('rejects a neighbour state that is not a list', () => {
    expect(errorOf(() => parseIpNeigh('[{"dst":"10.0.0.1","dev":"eth0","state":"STALE"}]')).message).toBe('ip -j neigh: [0].state: expected an array, not a string');
  });
});
