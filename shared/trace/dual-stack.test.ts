/**
 * Dual stack, traced per family (issue 15, Paths): on a generated dual-stack cluster
 * (test/fixtures/generate-dual-stack.ts: Flannel with EnableIPv6, Services SingleStack IPv4,
 * PreferDualStack and SingleStack IPv6), which family a trace runs in and what each family's
 * path is — addresses, routes and tunnels, kube-proxy's ip6tables and nftables `ip6` rules,
 * NetworkPolicy ipBlocks — and the verdict for a family a Service does not have
 * (Kubernetes docs, "IPv4/IPv6 dual-stack": ipFamilyPolicy SingleStack, PreferDualStack,
 * RequireDualStack; status.podIPs lists the primary family first).
 */
import { describe, expect, test } from 'vitest';
import type { ClusterObjects } from '../kube/objects.ts';
import type { Topology } from '../model/types.ts';
import { derive } from '../topology/derive.ts';
import { addIngressNginx, generateDualStackCluster, lbAddresses } from '../../test/fixtures/generate-dual-stack.ts';
import { trace } from './trace.ts';
import type { Trace, TraceQuery } from './types.ts';

const source = { context: 'dual-stack', server: null, kubernetesVersion: 'v1.33.2', capturedAt: '2025-07-01T09:00:00Z' };

function cluster(change: (objects: ClusterObjects) => void = () => {}): Topology {
  const objects = generateDualStackCluster(60);
  change(objects);
  return derive(objects, source);
}

const topology = cluster();
const run = (query: TraceQuery, on: Topology = topology): Trace => trace(on, query);

/** app-0-0 on node-0: 10.64.0.2 and fd00:10:40::2. app-1-17 on node-1: 10.64.1.10 and fd00:10:40:1::a. */
const client = 'team-0/app-0-0';
const peer = 'team-0/app-1-17';
/** Services: app-0 SingleStack IPv4, app-1 PreferDualStack (IPv4, IPv6), app-2 SingleStack IPv6. */
const allHops = (t: Trace) => [...t.hops, ...t.branches.flatMap((b) => b.hops)];
const commands = (t: Trace) => allHops(t).flatMap((h) => h.evidence.flatMap((e) => (e.command ? [e.command] : [])));

describe('which family a trace runs in', () => {
  test('a dual-stack pod to a dual-stack pod: the family of the sender\'s primary IP, and a note naming the other', () => {
    const traced = run({ from: client, to: peer });
    expect(traced.verdict).toBe('delivered');
    expect(traced.hops[0]?.packet).toMatchObject({ src: '10.64.0.2', dst: '10.64.1.10' });
    expect(traced.summary).toContain("Traced in IPv4, the family of team-0/app-0-0's primary IP 10.64.0.2; both ends have IPv6 too (--family 6).");
  });

  test('--family 6: every address is the IPv6 one, and the path is the IPv6 one (flannel-v6.1)', () => {
    const traced = run({ from: client, to: peer, family: 6 });
    expect(traced.verdict).toBe('delivered');
    expect(traced.from.ip).toBe('fd00:10:40::2');
    expect(traced.to.ip).toBe('fd00:10:40:1::a');
    expect(traced.hops.every((h) => h.packet.src === 'fd00:10:40::2' && h.packet.dst === 'fd00:10:40:1::a')).toBe(true);
    const tunnel = traced.hops.find((h) => h.kind === 'tunnel');
    expect(tunnel?.label).toContain('flannel-v6.1');
    expect(tunnel?.packet.outer).toMatchObject({ src: 'fd00:172:16::', dst: 'fd00:172:16::1' });
    expect(traced.summary).not.toContain('--family');
  });

  test('an IPv6 address written in the destination traces in IPv6', () => {
    const traced = run({ from: client, to: '[fd00:10:40:1::a]:8080' });
    expect(traced.verdict).toBe('delivered');
    expect(traced.hops[0]?.packet).toMatchObject({ src: 'fd00:10:40::2', dst: 'fd00:10:40:1::a', dstPort: 8080 });
  });

  test('an address of one family with the other asked for is an error that says both', () => {
    const traced = run({ from: client, to: '[fd00:10:40:1::a]:8080', family: 4 });
    expect(traced.verdict).toBe('unknown-target');
    expect(traced.summary).toContain('"[fd00:10:40:1::a]:8080" is an IPv6 address, but IPv4 is asked for');
  });

  test('a node named is reached at its InternalIP of the family', () => {
    expect(run({ from: client, to: 'node/node-1', family: 6 }).to.ip).toBe('fd00:172:16::1');
    expect(run({ from: client, to: 'node/node-1', family: 4 }).to.ip).toBe('172.16.0.1');
  });

  test('a single-stack IPv4 sender cannot send IPv6', () => {
    const single = cluster((o) => {
      const pod = o.pods.find((p) => p.metadata.name === 'app-0-0');
      if (pod?.status) pod.status.podIPs = [{ ip: '10.64.0.2' }];
    });
    const traced = run({ from: client, to: peer, family: 6 }, single);
    expect(traced.verdict).toBe('no-route');
    expect(traced.summary).toBe('Source: team-0/app-0-0 has no IPv6 address to send from (its IPs are 10.64.0.2: the pod is single-stack IPv4).');
    // …and without a family it is traced in IPv4, with nothing said about IPv6.
    expect(run({ from: client, to: peer }, single).summary).not.toContain('IPv6');
  });

  test('a single-stack IPv4 destination pod has nothing to reach in IPv6', () => {
    const single = cluster((o) => {
      const pod = o.pods.find((p) => p.metadata.name === 'app-1-17');
      if (pod?.status) pod.status.podIPs = [{ ip: '10.64.1.10' }];
    });
    const traced = run({ from: client, to: peer, family: 6 }, single);
    expect(traced.verdict).toBe('no-route');
    expect(traced.summary).toContain('team-0/app-1-17 has no IPv6 address (its IPs are 10.64.1.10: the pod is single-stack IPv4): nothing to reach it at in IPv6.');
  });
});

describe('Services per family', () => {
  test('PreferDualStack in IPv6: the IPv6 ClusterIP, DNS answers AAAA, kube-proxy DNATs to IPv6 endpoints only, with ip6tables', () => {
    const traced = run({ from: client, to: 'svc/team-0/app-1', family: 6 });
    expect(traced.verdict).toBe('delivered');
    expect(traced.to.ip).toBe('fd00:10:96::1');
    expect(traced.dns?.answer).toEqual({ type: 'AAAA', values: ['fd00:10:96::1'] });
    expect(traced.branches.length).toBe(15);
    expect(traced.branches.every((b) => b.hops[0]?.packet.dst.startsWith('fd00:10:40'))).toBe(true);
    const rules = commands(traced).filter((c) => c.includes('tables-save'));
    expect(rules.length).toBeGreaterThan(0);
    expect(rules.every((c) => c.startsWith('ip6tables-save'))).toBe(true);
  });

  test('PreferDualStack in IPv4: the IPv4 ClusterIP and endpoints, with iptables', () => {
    const traced = run({ from: client, to: 'svc/team-0/app-1', family: 4 });
    expect(traced.dns?.answer).toEqual({ type: 'A', values: ['10.96.0.1'] });
    expect(traced.branches.every((b) => b.hops[0]?.packet.dst.startsWith('10.64.'))).toBe(true);
    expect(commands(traced).filter((c) => c.includes('tables-save')).every((c) => c.startsWith('iptables-save'))).toBe(true);
  });

  test('SingleStack IPv4 asked for IPv6: no IPv6 ClusterIP, blocked at the Service with the fix', () => {
    const traced = run({ from: client, to: 'svc/team-0/app-0', family: 6 });
    expect(traced.verdict).toBe('no-route');
    expect(traced.summary).toContain('svc team-0/app-0 has no IPv6 ClusterIP: ipFamilyPolicy SingleStack, ipFamilies IPv4, ClusterIPs 10.96.0.0');
    expect(traced.blockers).toHaveLength(1);
    expect(traced.blockers[0]).toMatchObject({ kind: 'no-route', subject: 'svc:team-0/app-0' });
    expect(traced.blockers[0]?.fix).toContain('set spec.ipFamilyPolicy: PreferDualStack (or RequireDualStack) on svc team-0/app-0');
  });

  test('SingleStack IPv6 from a dual-stack pod, no family asked: traced in IPv6, said why', () => {
    const traced = run({ from: client, to: 'svc/team-0/app-2' });
    expect(traced.verdict).toBe('delivered');
    expect(traced.to.ip).toBe('fd00:10:96::2');
    expect(traced.summary).toContain('Traced in IPv6: the destination has IPv6 addresses only.');
  });

  test('a DNS name of a SingleStack IPv6 Service, no family asked: traced in IPv6 too', () => {
    const traced = run({ from: client, to: 'app-2' });
    expect(traced.dns?.answer).toEqual({ type: 'AAAA', values: ['fd00:10:96::2'] });
    expect(traced.verdict).toBe('delivered');
    expect(traced.summary).toContain('Traced in IPv6');
  });

  test('the IPv6 ClusterIP written as an address', () => {
    const traced = run({ from: client, to: '[fd00:10:96::1]:80' });
    expect(traced.verdict).toBe('delivered');
    expect(traced.branches.every((b) => b.hops[0]?.packet.dst.includes(':'))).toBe(true);
  });

  test('kube-proxy in nftables mode: the ip6 table for IPv6', () => {
    const nft = cluster((o) => {
      const proxy = o.configMaps.find((c) => c.metadata.name === 'kube-proxy');
      if (proxy?.data) proxy.data['config.conf'] = 'mode: nftables\n';
    });
    const v6 = commands(run({ from: client, to: 'svc/team-0/app-1', family: 6 }, nft)).filter((c) => c.startsWith('nft '));
    const v4 = commands(run({ from: client, to: 'svc/team-0/app-1', family: 4 }, nft)).filter((c) => c.startsWith('nft '));
    expect(v6.length).toBeGreaterThan(0);
    expect(v6.every((c) => c.startsWith('nft list chain ip6 kube-proxy'))).toBe(true);
    expect(v4.every((c) => c.startsWith('nft list chain ip kube-proxy'))).toBe(true);
  });

  test('a headless dual-stack Service answers the family asked with its endpoints of it', () => {
    const headless = cluster((o) => {
      const service = o.services.find((s) => s.metadata.name === 'app-1');
      if (service?.spec) service.spec = { ...service.spec, clusterIP: 'None', clusterIPs: ['None'] };
    });
    const v6 = run({ from: client, to: 'svc/team-0/app-1', family: 6 }, headless);
    expect(v6.branches.length).toBe(15);
    expect(v6.branches.every((b) => b.label.startsWith('fd00:'))).toBe(true);
    expect(v6.dns?.answer?.type).toBe('AAAA');
  });
});

describe('NetworkPolicy ipBlock per family', () => {
  /** app-1-17 admits only the ipBlock `cidr`. */
  const admitting = (cidr: string) =>
    cluster((o) => {
      o.networkPolicies.push({
        metadata: { name: 'only-block', namespace: 'team-0', uid: 'np-only-block' },
        spec: { podSelector: { matchLabels: { app: 'app-1' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr } }] }] },
      });
    });

  test('an IPv4 ipBlock admits the IPv4 flow and not the IPv6 one', () => {
    const v4Only = admitting('10.64.0.0/16');
    expect(run({ from: client, to: peer, family: 4 }, v4Only).verdict).toBe('delivered');
    const v6 = run({ from: client, to: peer, family: 6 }, v4Only);
    expect(v6.verdict).toBe('policy-denied');
    expect(v6.policy.ingress?.flow.from.ip).toBe('fd00:10:40::2');
  });

  test('an IPv6 ipBlock admits the IPv6 flow and not the IPv4 one', () => {
    const v6Only = admitting('fd00:10:40::/64');
    expect(run({ from: client, to: peer, family: 6 }, v6Only).verdict).toBe('delivered');
    expect(run({ from: client, to: peer, family: 4 }, v6Only).verdict).toBe('policy-denied');
  });
});

describe('hostPort per family', () => {
  const publishing = (hostIP?: string) =>
    cluster((o) => {
      const pod = o.pods.find((p) => p.metadata.name === 'app-1-17');
      const port = pod?.spec?.containers[0]?.ports?.[0];
      if (port) Object.assign(port, { hostPort: 8888 }, hostIP ? { hostIP } : {});
    });

  test('no hostIP: published in both families, the IPv6 rule read with ip6tables', () => {
    const traced = run({ from: 'internet', to: '[fd00:172:16::1]:8888' }, publishing());
    expect(traced.verdict).toBe('delivered');
    const dnat = traced.hops.find((h) => h.kind === 'host-port');
    expect(dnat?.packet.dst).toBe('fd00:10:40:1::a');
    expect(dnat?.evidence.map((e) => e.command)).toContain("ip6tables-save -t nat | grep -e CNI-HOSTPORT-DNAT -e '--dport 8888'");
  });

  test('from the internet to a node named, in IPv6: the client is an IPv6 address too', () => {
    const traced = run({ from: 'internet', to: 'node/node-1:8888', family: 6 }, publishing());
    expect(traced.verdict).toBe('delivered');
    expect(traced.hops[0]?.packet).toMatchObject({ src: '2001:db8::1', dst: 'fd00:172:16::1', dstPort: 8888 });
    expect(traced.hops[0]?.evidence[0]?.text).toBe('2001:db8::1 (the IPv6 documentation prefix) stands for any address on the internet');
  });

  test('hostIP 0.0.0.0 is IPv4 only: portmap skips a hostIP of the other family', () => {
    const traced = run({ from: 'internet', to: '[fd00:172:16::1]:8888' }, publishing('0.0.0.0'));
    expect(traced.hops.find((h) => h.kind === 'host-port')).toBeUndefined();
    expect(traced.summary).toContain('has hostIP 0.0.0.0, an IPv4 address: portmap maps it only in that family, and fd00:172:16::1 is IPv6');
  });
});

describe('from outside, per family: LoadBalancer, NodePort, Ingress', () => {
  /** ingress-nginx (generate-dual-stack.ts addIngressNginx): a PreferDualStack LoadBalancer with an
   * address of each family, NodePort 30080, and Ingress team-0/shop for shop.example → app-1. */
  const withIngress = cluster((o) => addIngressNginx(o));
  const addresses = (t: Trace) => allHops(t).flatMap((h) => [h.packet.src, h.packet.dst, ...(h.packet.outer ? [h.packet.outer.src, h.packet.outer.dst] : [])]);
  const isV6 = (a: string) => a.includes(':');

  test('the Ingress in IPv6: its IPv6 load balancer address, the nodes\' IPv6 InternalIPs at the NodePort, ip6tables, and the controller on to the IPv6 endpoints', () => {
    const traced = run({ from: 'internet', to: 'http://shop.example/', family: 6 }, withIngress);
    expect(traced.verdict).toBe('delivered');
    expect(traced.to.ip).toBe(lbAddresses.v6);
    expect(traced.hops[0]?.packet).toMatchObject({ src: '2001:db8::1', dst: lbAddresses.v6, dstPort: 80 });
    expect(traced.hops[1]?.label).toContain(`LoadBalancer [${lbAddresses.v6}]:80`);
    expect(addresses(traced).every(isV6)).toBe(true);
    const into = allHops(traced).filter((h) => h.kind === 'uplink' && h.label.startsWith('into node'));
    expect(into.map((h) => h.packet.dst)).toEqual(expect.arrayContaining(['fd00:172:16::', 'fd00:172:16::1']));
    const controller = allHops(traced).find((h) => h.kind === 'ingress-controller');
    expect(controller?.packet.dst).toBe('fd00:10:96::1');
    expect(controller?.evidence.map((e) => e.text)).toContain('ingress-nginx opens its own connection to the backend: a dual-stack controller may do so in either family; traced in IPv6, the client\'s');
    const rules = commands(traced).filter((c) => c.includes('tables-save'));
    expect(rules.length).toBeGreaterThan(0);
    expect(rules.every((c) => c.startsWith('ip6tables-save'))).toBe(true);
  });

  test('the Ingress with no family asked: IPv4 throughout, with iptables, and a note that it has IPv6 too', () => {
    const traced = run({ from: 'internet', to: 'http://shop.example/' }, withIngress);
    expect(traced.verdict).toBe('delivered');
    expect(traced.hops[0]?.packet).toMatchObject({ dst: lbAddresses.v4 });
    expect(addresses(traced).some(isV6)).toBe(false);
    expect(commands(traced).filter((c) => c.includes('tables-save')).every((c) => c.startsWith('iptables-save'))).toBe(true);
    expect(traced.summary).toContain('Traced in IPv4, as most clients on the internet are; the destination has IPv6 too (--family 6).');
  });

  test('a LoadBalancer Service named, in IPv6: its IPv6 status address, not its first', () => {
    const traced = run({ from: 'internet', to: 'svc/ingress-nginx/ingress-nginx-controller', family: 6 }, withIngress);
    expect(traced.verdict).toBe('delivered');
    expect(traced.hops[0]?.packet.dst).toBe(lbAddresses.v6);
    expect(addresses(traced).every(isV6)).toBe(true);
  });

  test('an IPv4-only load balancer asked for IPv6: blocked there, with the fix', () => {
    const v4Only = cluster((o) => {
      addIngressNginx(o, [lbAddresses.v4]);
      const service = o.services.find((s) => s.metadata.name === 'ingress-nginx-controller')!;
      service.spec = { ...service.spec, clusterIPs: [service.spec.clusterIP ?? ''], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' };
      service.status = { loadBalancer: { ingress: [{ ip: lbAddresses.v4 }] } };
    });
    const traced = run({ from: 'internet', to: 'http://shop.example/', family: 6 }, v4Only);
    expect(traced.verdict).toBe('no-route');
    expect(traced.summary).toContain(`svc ingress-nginx/ingress-nginx-controller's load balancer has no IPv6 address (status.loadBalancer.ingress: ${lbAddresses.v4})`);
    expect(traced.blockers).toHaveLength(1);
    expect(traced.blockers[0]?.fix).toContain('set spec.ipFamilyPolicy: PreferDualStack (or RequireDualStack) on svc ingress-nginx/ingress-nginx-controller');
    expect(addresses(traced).filter((a) => /^[\d.]+$|^[0-9a-f:]+$/.test(a)).every(isV6)).toBe(true);
    // …and in IPv4 it is delivered.
    expect(run({ from: 'internet', to: 'http://shop.example/' }, v4Only).verdict).toBe('delivered');
  });

  test('a load balancer known by a hostname (a cloud\'s DNS name) is entered by it in either family', () => {
    const named = cluster((o) => {
      addIngressNginx(o, []);
      const service = o.services.find((s) => s.metadata.name === 'ingress-nginx-controller')!;
      service.status = { loadBalancer: { ingress: [{ hostname: 'a1b2.elb.example.com' }] } };
    });
    const traced = run({ from: 'internet', to: 'svc/ingress-nginx/ingress-nginx-controller', family: 6 }, named);
    expect(traced.verdict).toBe('delivered');
    expect(traced.hops[0]?.packet).toMatchObject({ src: '2001:db8::1', dst: 'a1b2.elb.example.com' });
    expect(allHops(traced).find((h) => h.kind === 'uplink')?.packet.dst).toBe('fd00:172:16::');
  });

  describe('a NodePort Service from the internet', () => {
    const nodePort = (change: (objects: ClusterObjects) => void = () => {}) =>
      cluster((o) => {
        const service = o.services.find((s) => s.metadata.name === 'app-1')!;
        service.spec = { ...service.spec, type: 'NodePort', ports: [{ port: 80, targetPort: 'http', nodePort: 30081 }] };
        change(o);
      });

    test('in IPv6: the node\'s IPv6 InternalIP, ip6tables', () => {
      const traced = run({ from: 'internet', to: 'svc/team-0/app-1', family: 6 }, nodePort());
      expect(traced.verdict).toBe('delivered');
      expect(traced.hops[0]?.packet).toMatchObject({ src: '2001:db8::1', dst: 'fd00:172:16::', dstPort: 30081 });
      expect(traced.hops[0]?.label).toContain('[fd00:172:16::]:30081');
      // kube-proxy's hop names the node port as an address and port can be read, [v6]:port.
      expect(traced.hops.map((h) => h.label).join('\n')).not.toContain('fd00:172:16:::30081');
      expect(addresses(traced).every(isV6)).toBe(true);
      expect(commands(traced).filter((c) => c.includes('tables-save')).every((c) => c.startsWith('ip6tables-save'))).toBe(true);
      expect(run({ from: 'internet', to: 'svc/team-0/app-1', family: 4 }, nodePort()).hops[0]?.packet.dst).toBe('172.16.0.0');
    });

    test('in IPv6 at a node with IPv4 addresses only: nothing to connect to', () => {
      const v4Nodes = nodePort((o) => {
        for (const node of o.nodes) node.status!.addresses = node.status!.addresses!.filter((a) => !a.address.includes(':'));
      });
      const traced = run({ from: 'internet', to: 'svc/team-0/app-1', family: 6 }, v4Nodes);
      expect(traced.verdict).toBe('no-route');
      expect(traced.summary).toContain('node node-0 has no IPv6 address (status.addresses: 172.16.0.0): its NodePort is reached in IPv4 only');
    });
  });
});
