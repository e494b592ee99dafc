/**
 * How a Service proxy picks among endpoints beyond its default even spread: IPVS schedulers
 * (kube-proxy's `ipvs.scheduler`, `rr` when empty) and ClientIP session affinity with its
 * timeout (spec.sessionAffinityConfig.clientIP.timeoutSeconds, 10800 by default).
 */
import type { Detected } from '../model/cluster.ts';
import type { ServiceRecord } from '../model/types.ts';

/** The API server's default for sessionAffinityConfig.clientIP.timeoutSeconds. */
export const defaultAffinitySeconds = 10800;

export function affinitySecondsOf(service: ServiceRecord): { seconds: number; isDefault: boolean } {
  return service.sessionAffinityTimeout === undefined ? { seconds: defaultAffinitySeconds, isDefault: true } : { seconds: service.sessionAffinityTimeout, isDefault: false };
}

/** What each IPVS scheduler does with a new connection, in the words of ipvsadm(8). kube-proxy
 * gives every real server weight 1, so the weighted ones behave as their plain forms. */
const schedulers: Record<string, string> = {
  rr: 'round robin: real servers take new connections in turn',
  wrr: 'weighted round robin (every real server has weight 1, so in turn)',
  lc: 'least connection: a new connection goes to the real server with the fewest active ones',
  wlc: 'weighted least connection (every weight 1: the fewest active connections)',
  lblc: 'locality-based least connection: by destination address, to the server last used for it unless overloaded',
  lblcr: 'locality-based least connection with replication',
  dh: 'destination hashing: by destination address',
  sh: 'source hashing: the same client address always gets the same real server',
  sed: 'shortest expected delay',
  nq: 'never queue: an idle real server first, else shortest expected delay',
  mh: 'maglev hashing: by source address and port, consistent across nodes',
};

/** The scheduler's rule for one of `n` real servers, with where it was read. */
export function ipvsSelection(scheduler: Detected<string> | undefined, n: number): string {
  const name = scheduler?.value ?? 'rr';
  const what = schedulers[name] ?? `scheduler ${name}, which Podpath does not describe`;
  const where = scheduler ? scheduler.evidence[0] ?? `ipvs.scheduler ${name}` : 'kube-proxy\'s configuration was not read: assumed its default, rr';
  if (n === 1) return `the only real server of the IPVS virtual server (scheduler ${name})`;
  const share = name === 'rr' || name === 'wrr' ? `1 in ${n} new connections` : `one of ${n}, as the scheduler decides`;
  return `IPVS scheduler ${name} — ${what} (${where}): ${share}`;
}

/** The affinity rule in each proxy's terms, and what it means for repeated traces. */
export function affinityText(mode: string, service: ServiceRecord, chain: string | null): string {
  const { seconds, isDefault } = affinitySecondsOf(service);
  const sticky =
    mode === 'iptables'
      ? `-m recent --name ${chain ?? 'KUBE-SEP'} --rcheck --seconds ${seconds} sends a returning client back first`
      : mode === 'ipvs'
        ? `IPVS persistence (-p ${seconds}) keeps a client on its real server`
        : mode === 'nftables'
          ? `the affinity set keeps a client on its endpoint for ${seconds} s`
          : `a client stays on its backend for ${seconds} s`;
  const timeout = isDefault ? `timeoutSeconds ${seconds}, the default` : `timeoutSeconds ${seconds}, spec.sessionAffinityConfig`;
  return `sessionAffinity ClientIP: ${sticky} (${timeout}); the same client address gets the same endpoint for every connection until it has been idle ${seconds} s, so repeated traces from one client go where its first went`;
}
