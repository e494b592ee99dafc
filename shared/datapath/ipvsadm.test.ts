// ipvsadm -Ln. The kernel here has no IPVS (ipvsadm: "Can't initialize ipvs: Protocol not
// available"), so the fixture test/fixtures/datapath/ipvsadm-Ln.txt was written with
// ipvsadm.c's own printf formats (print_title / print_service_entry) for a kube-proxy-shaped
// table; see the README there.
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { kubeProxyFromIpvs, parseIpvsadm } from './ipvsadm.ts';
import { DatapathParseError } from './parse-error.ts';

const text = readFileSync(new URL('../../test/fixtures/datapath/ipvsadm-Ln.txt', import.meta.url), 'utf8');

test('reads virtual services with scheduler, persistence and real servers with weights', () => {
  const services = parseIpvsadm(text);
  expect(services.map((s) => `${s.protocol} ${s.ip}:${s.port} ${s.scheduler} ${s.realServers.length}`)).toEqual([
    'tcp 10.96.0.1:443 rr 1',
    'tcp 10.96.0.10:53 rr 2',
    'udp 10.96.0.10:53 rr 2',
    'tcp 10.96.45.7:80 rr 2',
    'tcp 172.18.0.3:30080 rr 2',
    'tcp 10.96.200.1:80 wrr 2',
    'tcp 10.96.99.99:80 rr 0',
    'tcp fd00:10:96::a:443 rr 1',
    'fwmark null:null lc 0',
  ]);
  expect(services[0]?.realServers[0]).toEqual({ ip: '172.18.0.2', port: 6443, forward: 'Masq', weight: 1, activeConnections: 3, inactiveConnections: 0 });
  expect(services[3]?.persistentSeconds).toBe(10800);
  expect(services[8]?.fwmark).toBe(100);
});

test('turns rr and wrr weights into shares; weight 0 (terminating) gets none', () => {
  const rules = kubeProxyFromIpvs(parseIpvsadm(text));
  const shares = (ip: string, port: number) =>
    rules.services.find((s) => s.frontends[0]?.ip === ip && s.frontends[0]?.port === port)?.dispatches[0]?.endpoints.map((e) => [e.target, e.probability]);
  expect(shares('10.96.0.10', 53)).toEqual([['10.244.0.2:53', 0.5], ['10.244.0.3:53', 0.5]]);
  expect(shares('10.96.45.7', 80)).toEqual([['10.244.1.5:8080', 1], ['10.244.2.9:8080', 0]]);
  expect(shares('10.96.200.1', 80)).toEqual([['10.244.1.7:80', 0.75], ['10.244.2.7:80', 0.25]]);
  expect(shares('10.96.99.99', 80)).toEqual([]);
  expect(rules.services.find((s) => s.frontends[0]?.ip === '10.96.45.7')?.dispatches[0]?.affinitySeconds).toBe(10800);
  expect(rules.services.every((s) => s.servicePortName === null)).toBe(true);
  // The IPv6 service and the firewall-mark one are not IPv4 Service ports.
  expect(rules.services).toHaveLength(7);
  expect(kubeProxyFromIpvs(parseIpvsadm(text), 'inet6').services[0]?.dispatches[0]?.endpoints[0]?.target).toBe('[fd00:10:244::5]:8443');
});

test.each([
  ['a real server before any service', 'Prot LocalAddress:Port Scheduler Flags\n  -> 10.0.0.1:80  Masq 1 0 0\n', 'line 2', /before any virtual service/],
  ['a garbled line', 'TCP  10.96.0.1:443 rr\nhello world\n', 'line 2', /neither a virtual service nor a real server/],
  ['a service without a port', 'TCP  10.96.0.1 rr\n', 'line 1', /not address:port/],
])('rejects %s, naming the line', (_, input, where, reason) => {
  const error = (() => {
    try {
      parseIpvsadm(input);
    } catch (e) {
      return e;
    }
  })() as DatapathParseError;
  expect(error).toBeInstanceOf(DatapathParseError);
  expect(error.where).toBe(where);
  expect(error.reason).toMatch(reason);
});
