/**
 * `ipvsadm -Ln` (text: ipvsadm has no JSON). The layout is ipvsadm.c print_service_entry's:
 * a virtual service line `TCP  10.96.0.1:443 rr [persistent 10800] [flags]` (or `FWM  <mark>`),
 * then one `  -> <address:port> <forward> <weight> <active> <inactive>` line per real server.
 * kube-proxy's IPVS mode makes one virtual service per Service address and port.
 */
import { splitHostPort } from './kube-proxy-iptables.ts';
import { DatapathParseError } from './parse-error.ts';
import type { IpvsVirtualService, KubeProxyRules, ObservedEndpoint } from './types.ts';

const servicePattern = /^(TCP|UDP|SCTP)\s+(\S+)\s+(\S+)(.*)$/;
const fwmarkPattern = /^FWM\s+(\d+)(\s+IPv6)?\s+(\S+)(.*)$/;
const serverPattern = /^\s+->\s+(\S+)\s+(\S+)\s+(-?\d+)\s+(\d+)\s+(\d+)(\s.*)?$/;

/** Parses `ipvsadm -Ln`. */
export function parseIpvsadm(output: string, command = 'ipvsadm -Ln'): IpvsVirtualService[] {
  const services: IpvsVirtualService[] = [];
  const fail = (line: number, reason: string) => new DatapathParseError(command, `line ${line}`, reason);
  for (const [i, line] of output.split('\n').entries()) {
    const n = i + 1;
    if (line.trim() === '' || line.startsWith('IP Virtual Server') || line.startsWith('Prot LocalAddress') || /^\s+-> RemoteAddress/.test(line)) continue;
    const server = serverPattern.exec(line);
    if (server) {
      const service = services.at(-1);
      if (!service) throw fail(n, 'a real server before any virtual service');
      const { ip, port } = splitHostPort(server[1] as string);
      if (ip === null || port === null) throw fail(n, `real server "${server[1]}" is not address:port`);
      service.realServers.push({ ip, port, forward: server[2] as string, weight: Number(server[3]), activeConnections: Number(server[4]), inactiveConnections: Number(server[5]) });
      continue;
    }
    const virtual = servicePattern.exec(line);
    if (virtual) {
      const { ip, port } = splitHostPort(virtual[2] as string);
      if (ip === null || port === null) throw fail(n, `virtual service "${virtual[2]}" is not address:port`);
      services.push({ protocol: (virtual[1] as string).toLowerCase() as 'tcp' | 'udp' | 'sctp', ip, port, fwmark: null, scheduler: virtual[3] as string, ...flagsOf(virtual[4] as string), realServers: [] });
      continue;
    }
    const fwmark = fwmarkPattern.exec(line);
    if (fwmark) {
      services.push({ protocol: 'fwmark', ip: null, port: null, fwmark: Number(fwmark[1]), scheduler: fwmark[3] as string, ...flagsOf(fwmark[4] as string), realServers: [] });
      continue;
    }
    throw fail(n, `"${line.trim().slice(0, 60)}" is neither a virtual service nor a real server`);
  }
  return services;
}

function flagsOf(rest: string): { persistentSeconds: number | null; flags: string[] } {
  const words = rest.trim().split(/\s+/).filter(Boolean);
  const at = words.indexOf('persistent');
  const persistentSeconds = at >= 0 && /^\d+$/.test(words[at + 1] ?? '') ? Number(words[at + 1]) : null;
  return { persistentSeconds, flags: at >= 0 ? [...words.slice(0, at), ...words.slice(at + 2)] : words };
}

/**
 * The share of new connections each real server gets: rr spreads evenly over servers with a
 * weight above 0 (kube-proxy sets 0 on terminating endpoints), wrr in proportion to weight.
 * Load-dependent schedulers (lc, wlc, sh, …) have no fixed share: null.
 */
function shares(service: IpvsVirtualService): (number | null)[] {
  const weights = service.realServers.map((s) => Math.max(0, s.weight));
  if (service.scheduler === 'rr') {
    const live = weights.filter((w) => w > 0).length;
    return weights.map((w) => (live === 0 ? 0 : w > 0 ? 1 / live : 0));
  }
  if (service.scheduler === 'wrr') {
    const total = weights.reduce((a, b) => a + b, 0);
    return weights.map((w) => (total === 0 ? 0 : w / total));
  }
  return weights.map(() => null);
}

/** kube-proxy's IPVS virtual services as Service ports without names (IPVS does not know
 * them): the lead joins them to Services by address, port and protocol. */
export function kubeProxyFromIpvs(services: IpvsVirtualService[], family: 'inet' | 'inet6' = 'inet'): KubeProxyRules {
  const inFamily = services.filter((s) => s.ip !== null && s.ip.includes(':') === (family === 'inet6'));
  return {
    mode: 'ipvs',
    family,
    services: inFamily.map((service) => {
      const share = shares(service);
      const endpoints: ObservedEndpoint[] = service.realServers.map((s, i) => ({
        target: s.ip.includes(':') ? `[${s.ip}]:${s.port}` : `${s.ip}:${s.port}`,
        ip: s.ip,
        port: s.port,
        chain: null,
        probability: share[i] ?? null,
        how: `${service.scheduler} weight ${s.weight}`,
        counters: null,
        dnatCounters: null,
      }));
      const address = service.ip?.includes(':') ? `[${service.ip}]:${service.port}` : `${service.ip}:${service.port}`;
      return {
        servicePortName: null,
        namespace: null,
        name: null,
        portName: null,
        protocol: service.protocol,
        frontends: [{ kind: 'virtual-service' as const, ip: service.ip, port: service.port, protocol: service.protocol, chain: null, counters: null, evidence: `ipvs ${service.protocol.toUpperCase()} ${address}` }],
        dispatches: [{ chain: null, scope: 'cluster' as const, endpoints, affinitySeconds: service.persistentSeconds }],
        noEndpoints: [],
        isMasqueraded: service.realServers.some((s) => s.forward === 'Masq'),
      };
    }),
  };
}
