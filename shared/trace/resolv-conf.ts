/**
 * The /etc/resolv.conf the kubelet writes for a pod, built as kubernetes
 * pkg/kubelet/network/dns/dns.go builds it (GetPodDNS):
 *
 * - dnsPolicy None: nothing but spec.dnsConfig;
 * - ClusterFirst (not hostNetwork) and ClusterFirstWithHostNet: the kubelet's clusterDNS as the
 *   nameservers, the search path `<ns>.svc.<domain> svc.<domain> <domain>` followed by the node's
 *   own search domains, and `options ndots:5` — or, when the kubelet has no clusterDNS, as Default
 *   (it records a MissingClusterDNS event);
 * - Default, and ClusterFirst on hostNetwork: the node's resolv.conf (its nameservers, search
 *   domains and options, which the Kubernetes API does not show);
 *
 * then spec.dnsConfig is appended (nameservers and search domains without duplicates, options
 * merged with dnsConfig's winning), and the result cut to the limits: 3 nameservers, 32 search
 * domains of at most 253 characters, 2048 characters of search line.
 */
import type { Host, PodRecord, Topology } from '../model/types.ts';
import { clusterDomain as assumedDomain } from './endpoints.ts';

/** The kubelet's DNS settings for the pods of one node: read from its configz, else assumed. */
export interface KubeletDns {
  clusterDNS: string[];
  /** Empty when the kubelet has none (its search path then has no cluster entries). */
  clusterDomain: string;
  isAssumed: boolean;
  /** Where they came from, in one line. */
  evidence: string;
}

/** The kubelet's clusterDNS and clusterDomain on `host`: from its configz where the model has it,
 * else as every mainstream distribution sets them (`kubeDnsIP`, cluster.local), said so. */
export function kubeletDnsOf(host: Host | null, kubeDnsIP: string | null, kubeDnsLabel: string): KubeletDns {
  const read = host?.kubeletDns;
  if (read) {
    return {
      clusterDNS: read.clusterDNS,
      clusterDomain: read.clusterDomain ?? '',
      isAssumed: false,
      evidence: `the kubelet on ${host.name} (its configz): clusterDNS ${read.clusterDNS.join(', ') || '(none)'}, clusterDomain ${read.clusterDomain ?? '(none)'}`,
    };
  }
  return {
    clusterDNS: [kubeDnsIP ?? '<kube-dns ClusterIP>'],
    clusterDomain: assumedDomain,
    isAssumed: true,
    evidence: `assumed: the kubelet's clusterDNS is ${kubeDnsLabel}'s ClusterIP and its clusterDomain ${assumedDomain} (kubelet settings are not in the API; its configz, which needs nodes/proxy, was not read)`,
  };
}

/** The node the pod runs on, for its kubelet. */
export function podHost(topology: Topology, pod: PodRecord | null): Host | null {
  return pod?.host ? (topology.hosts[pod.host] ?? null) : null;
}

export interface ResolvConf {
  /** The kubelet's own word for what it did: `cluster`, `host` (the node's resolv.conf) or `none`. */
  kind: 'cluster' | 'host' | 'none';
  nameservers: string[];
  searches: string[];
  ndots: number;
  /** Parts taken from the node's resolv.conf, which the model does not know: they come on top
   * of what is listed (nameservers, search domains) or decide what is not (options). */
  nodeParts: ('nameservers' | 'searches' | 'options')[];
  /** Limits that cut the lists, a fallback to the node's resolv.conf. */
  notes: string[];
}

function omitDuplicates(values: string[]): string[] {
  return [...new Set(values)];
}

function ndotsOf(options: { name: string; value: string | null }[], fallback: number): number {
  const value = options.find((o) => o.name === 'ndots')?.value;
  const n = value === undefined || value === null ? NaN : Number(value);
  // The resolver caps ndots at 15 (resolv.conf(5)).
  return Number.isInteger(n) && n >= 0 ? Math.min(n, 15) : fallback;
}

/** dns.go's formDNSSearchFitsLimits: at most 32 domains, none over 253 characters, the line at
 * most 2048 characters (cut from the end). */
function searchesFitting(searches: string[], notes: string[]): string[] {
  let fitting = searches.slice(0, 32).filter((s) => s.length <= 253);
  while (fitting.join(' ').length > 2048) fitting = fitting.slice(0, -1);
  if (fitting.length < searches.length) notes.push(`search line limits exceeded: the kubelet keeps ${fitting.length} of ${searches.length} search domains (DNSConfigForming event)`);
  return fitting;
}

/** The resolv.conf the kubelet writes for `pod` with the kubelet settings `kubelet`. */
export function podResolvConf(pod: PodRecord, kubelet: KubeletDns): ResolvConf {
  const policy = pod.dnsPolicy ?? 'ClusterFirst';
  const config = pod.dnsConfig ?? null;
  const notes: string[] = [];
  let kind: ResolvConf['kind'] = policy === 'None' ? 'none' : policy === 'Default' || (policy === 'ClusterFirst' && pod.isHostNetwork) ? 'host' : 'cluster';
  if (kind === 'cluster' && kubelet.clusterDNS.length === 0) {
    kind = 'host';
    notes.push(`the kubelet has no clusterDNS, so dnsPolicy ${policy} falls back to Default: the node's resolv.conf (MissingClusterDNS event)`);
  }
  let nameservers: string[] = [];
  let searches: string[] = [];
  let ndots = 1;
  const nodeParts: ResolvConf['nodeParts'] = [];
  if (kind === 'cluster') {
    nameservers = [...kubelet.clusterDNS];
    const domain = kubelet.clusterDomain;
    searches = domain === '' ? [] : [`${pod.namespace}.svc.${domain}`, `svc.${domain}`, domain];
    nodeParts.push('searches');
    ndots = 5;
  } else if (kind === 'host') {
    nodeParts.push('nameservers', 'searches', 'options');
  }
  if (config) {
    nameservers = omitDuplicates([...nameservers, ...config.nameservers]);
    searches = omitDuplicates([...searches, ...config.searches]);
    ndots = ndotsOf(config.options, ndots);
    if (config.options.some((o) => o.name === 'ndots')) {
      const at = nodeParts.indexOf('options');
      if (at >= 0) nodeParts.splice(at, 1);
    }
  }
  if (nameservers.length > 3) {
    notes.push(`nameserver limit exceeded: the kubelet keeps the first 3 of ${nameservers.length}`);
    nameservers = nameservers.slice(0, 3);
  }
  return { kind, nameservers, searches: searchesFitting(searches, notes), ndots, nodeParts, notes };
}
