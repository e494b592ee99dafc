/**
 * Reading what proves a packet went somewhere, inside one of the lab's namespaces: a device's
 * counters (`ip -s -j link`), an iptables rule's (`iptables-save -c`), the kernel's NAT record of
 * a connection (`conntrack -L`; kube-proxy's nftables rules carry no counters), plus the chain
 * names kube-proxy gives a Service port and its endpoints, to find the rules without guessing.
 */
import { createHash } from 'node:crypto';
import { base32 } from '@scure/base';
import type { Output } from './netns.ts';

type Exec = (command: string, args: string[]) => Promise<Output>;

export interface LinkStats {
  rxPackets: number;
  txPackets: number;
}

/** Every device's packet counters in a namespace, by name (`ip -s -j link show`). */
export async function linkCounters(exec: Exec): Promise<Map<string, LinkStats>> {
  const { stdout } = await exec('ip', ['-s', '-j', 'link', 'show']);
  const links = JSON.parse(stdout) as { ifname: string; stats64?: { rx: { packets: number }; tx: { packets: number } } }[];
  return new Map(links.map((l) => [l.ifname, { rxPackets: l.stats64?.rx.packets ?? 0, txPackets: l.stats64?.tx.packets ?? 0 }]));
}

export interface RuleCounter {
  chain: string;
  /** The rule as iptables-save prints it, without the counters and `-A CHAIN`. */
  rule: string;
  packets: number;
  bytes: number;
}

/** The rules of the nat table with their counters (`iptables-save -c -t nat`). */
export async function natRuleCounters(exec: Exec): Promise<RuleCounter[]> {
  const { stdout } = await exec('iptables-save', ['-c', '-t', 'nat']);
  const rules: RuleCounter[] = [];
  for (const line of stdout.split('\n')) {
    // [packets:bytes] -A CHAIN rest…
    const m = /^\[(\d+):(\d+)\] -A (\S+) (.*)$/.exec(line);
    if (m) rules.push({ packets: Number(m[1]), bytes: Number(m[2]), chain: m[3]!, rule: m[4]! });
  }
  return rules;
}

/**
 * kube-proxy's iptables chain names (pkg/proxy/iptables/proxier.go: servicePortChainName,
 * servicePortEndpointChainName): base32(sha256(servicePortName + protocol [+ endpoint]))[:16],
 * servicePortName `ns/name[:portName]`, protocol lower case, endpoint `ip:port`.
 */
export function kubeProxyChains(servicePortName: string, protocol: string, endpoints: string[]) {
  const proto = protocol.toLowerCase();
  return {
    svc: `KUBE-SVC-${hash(servicePortName + proto).slice(0, 16)}`,
    sep: new Map(endpoints.map((e) => [e, `KUBE-SEP-${hash(servicePortName + proto + e).slice(0, 16)}`])),
  };
}

/**
 * kube-proxy's nftables chain for a Service port (pkg/proxy/nftables/proxier.go:
 * hashAndTruncate): `service-` + base32(sha256(name))[:8] + `-` + name, name `ns/svc/proto/portName`.
 */
export function nftServiceChain(namespace: string, service: string, protocol: string, portName: string): string {
  const name = `${namespace}/${service}/${protocol.toLowerCase()}/${portName}`;
  return `service-${hash(name).slice(0, 8)}-${name}`;
}

const hash = (s: string) => base32.encode(createHash('sha256').update(s).digest());

export interface NatConnection {
  /** The original direction: who sent it, to where (the ClusterIP). */
  src: string;
  dst: string;
  /** Who answered: the endpoint the DNAT chose. */
  replySrc: string;
}

/** The connections conntrack recorded to `dst` (`conntrack -L -d dst`), with the address that answered. */
export async function conntrackTo(exec: Exec, dst: string): Promise<NatConnection[]> {
  const { stdout } = await exec('conntrack', ['-L', '-d', dst]);
  return stdout
    .split('\n')
    .map((line) => [...line.matchAll(/\b(src|dst)=(\S+)/g)].map((m) => m[2]!))
    .filter((a) => a.length >= 4)
    .map(([src, dst, replySrc]) => ({ src: src!, dst: dst!, replySrc: replySrc! }));
}
