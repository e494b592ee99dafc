/**
 * The name lookup a pod makes before it connects (design §4, issue 6 scenario 7): the
 * resolv.conf its dnsPolicy gives it, the queries its search path expands a name into, the
 * cluster DNS Service and its CoreDNS endpoints, and whether NetworkPolicy lets port 53 out.
 *
 * What the Kubernetes API does not say is assumed as every mainstream distribution sets it, and
 * said so: the kubelet's clusterDNS is the kube-system/kube-dns Service's ClusterIP, its
 * clusterDomain is cluster.local, and CoreDNS forwards names outside it to the node's resolvers.
 */
import type { ProxyMode } from '../model/cluster.ts';
import type { EndpointRecord, Host, PodRecord, ServicePortRecord, ServiceRecord, Topology } from '../model/types.ts';
import type { Flow, PolicyEndpoint, PolicyVerdict } from '../policy/types.ts';
import { sh } from '../text/shell.ts';
import { kubectlExec, policyCommand } from './commands.ts';
import { clusterDomain } from './endpoints.ts';
import { nodeLocalListener, nodeLocalPath } from './dns-node-local.ts';
import { hop, podAddress, nodeAddress, serviceLabel, type PathContext } from './path/hop.ts';
import { kubeletDnsOf, podResolvConf } from './resolv-conf.ts';
import { endpointPort, resolveService, type NoEndpointWhy } from './proxy.ts';
import type { DnsLookup, DnsPolicyCheck, DnsQuery, Evidence, Hop, Packet } from './types.ts';

export type DnsTarget =
  | { kind: 'service'; service: ServiceRecord; ip: string }
  | { kind: 'headless'; service: ServiceRecord; ips: string[] }
  | { kind: 'external-name'; service: ServiceRecord; cname: string }
  | { kind: 'upstream'; name: string };

export interface DnsResult {
  lookup: DnsLookup;
  /** What the name stands for, when the lookup tells (also when the lookup itself fails, so a
   * message can name it). */
  target: DnsTarget | null;
  /** The lookup fails: the trace stops here, or goes on as if DNS had answered (route.ts). */
  isFailed: boolean;
  /** When the lookup fails for want of a usable CoreDNS endpoint: why, and what to change. */
  why?: NoEndpointWhy;
}

export interface DnsContext extends PathContext {
  proxyMode: ProxyMode;
  evaluate: (flow: Flow) => PolicyVerdict;
  /** The family the client asks in (A or AAAA; dual stack); absent: the Service's first. */
  family?: 4 | 6;
}

/** The cluster DNS Service: kube-system/kube-dns (CoreDNS keeps kube-dns's name and label). */
export function clusterDnsService(topology: Topology): ServiceRecord | null {
  return (
    topology.services['svc:kube-system/kube-dns'] ??
    Object.values(topology.services).find((s) => s.namespace === 'kube-system' && s.labels['k8s-app'] === 'kube-dns' && s.clusterIPs.length > 0) ??
    // Distributions that rename it (RKE2's rke2-coredns-rke2-coredns): kube-system's DNS port.
    Object.values(topology.services).find((s) => s.namespace === 'kube-system' && s.clusterIPs.length > 0 && s.ports.some((p) => p.port === 53 && p.protocol === 'UDP')) ??
    null
  );
}

/** The Service ports a lookup uses: UDP 53 (else its first UDP port), and TCP 53, which a
 * resolver falls back to when an answer is too large for UDP. */
export function dnsPorts(kubeDns: ServiceRecord): { udp: ServicePortRecord | null; tcp: ServicePortRecord | null } {
  return {
    udp: kubeDns.ports.find((p) => p.protocol === 'UDP' && p.port === 53) ?? kubeDns.ports.find((p) => p.protocol === 'UDP') ?? null,
    tcp: kubeDns.ports.find((p) => p.protocol === 'TCP' && p.port === 53) ?? null,
  };
}

/** NetworkPolicy's verdict on a query from `from` to each of the CoreDNS `endpoints`: over UDP,
 * and over TCP to those that serve the Service's TCP port. The tracer and the doctor both ask this. */
export function dnsPolicyChecks(
  topology: Topology,
  evaluate: (flow: Flow) => PolicyVerdict,
  from: PolicyEndpoint,
  endpoints: EndpointRecord[],
  udpPort: ServicePortRecord,
  tcpPort: ServicePortRecord | null,
): DnsPolicyCheck[] {
  const checks: DnsPolicyCheck[] = [];
  const endpointsByProtocol: [('UDP' | 'TCP'), EndpointRecord[]][] = [
    ['UDP', endpoints],
    ['TCP', tcpPort ? endpoints.filter((e) => endpointPort(e, tcpPort) !== null) : []],
  ];
  for (const [protocol, list] of endpointsByProtocol) {
    for (const endpoint of list) {
      const target = endpoint.pod ? topology.pods[endpoint.pod] : undefined;
      const port = endpointPort(endpoint, protocol === 'UDP' ? udpPort : (tcpPort ?? udpPort)) ?? 53;
      const verdict = evaluate({ from, to: { pod: target ?? null, ip: endpoint.address }, port, protocol });
      checks.push({ protocol, endpoint: endpoint.id, pod: endpoint.pod, isAllowed: verdict.isAllowed, egress: verdict.egress, ingress: verdict.ingress });
    }
  }
  return checks;
}

type Answer = { kind: 'records'; target: DnsTarget; values: string[]; type: 'A' | 'AAAA' | 'CNAME' } | { kind: 'nxdomain' } | { kind: 'forwarded' };

/** What CoreDNS's kubernetes plugin answers for a fully qualified name, serving `domain`. */
function clusterAnswer(topology: Topology, fqdn: string, domain: string, family?: 4 | 6): Answer {
  const name = fqdn.replace(/\.$/, '').toLowerCase();
  const suffix = `.${domain}`;
  if (!name.endsWith(suffix)) return { kind: 'forwarded' };
  const labels = name.slice(0, -suffix.length).split('.');
  if (labels.length !== 3 || labels[2] !== 'svc') return { kind: 'nxdomain' };
  const [serviceName = '', namespace = ''] = labels;
  const service = topology.services[`svc:${namespace}/${serviceName}`];
  if (!service) return { kind: 'nxdomain' };
  if (service.type === 'ExternalName' && service.externalName) {
    return { kind: 'records', target: { kind: 'external-name', service, cname: service.externalName }, values: [service.externalName], type: 'CNAME' };
  }
  if (service.isHeadless) {
    const ready = Object.values(topology.endpoints).filter((e) => e.service === service.id && e.isReady);
    const ofFamily = family === undefined ? [] : ready.filter((e) => e.address.includes(':') === (family === 6));
    const ips = (ofFamily.length > 0 ? ofFamily : ready).map((e) => e.address).sort();
    if (ips.length === 0) return { kind: 'nxdomain' };
    return { kind: 'records', target: { kind: 'headless', service, ips }, values: ips, type: ips[0]?.includes(':') ? 'AAAA' : 'A' };
  }
  // A Service with no ClusterIP of the family asked is answered in its own: the path then says what is missing.
  const ip = service.clusterIPs.find((a) => family !== undefined && a.includes(':') === (family === 6)) ?? service.clusterIPs[0];
  if (!ip) return { kind: 'nxdomain' };
  const values = service.clusterIPs.filter((a) => a.includes(':') === ip.includes(':'));
  return { kind: 'records', target: { kind: 'service', service, ip }, values, type: ip.includes(':') ? 'AAAA' : 'A' };
}

/** A name that is meant for the cluster (its labels name a Service or a namespace here), so the
 * upstream resolvers will not know it either. */
function looksInCluster(topology: Topology, name: string, domain: string): boolean {
  const labels = name.replace(/\.$/, '').toLowerCase().split('.');
  if (labels.length === 1) return true;
  if (name.includes(`.svc`) || name.endsWith(domain)) return true;
  const namespaces = new Set(Object.values(topology.namespaces).map((n) => n.name));
  const services = new Set(Object.values(topology.services).map((s) => s.name));
  return labels.length <= 3 && (namespaces.has(labels[1] ?? '') || services.has(labels[0] ?? ''));
}

/** The queries a resolver sends for `name`: resolv.conf semantics (ndots, search list). */
function queriesFor(name: string, searches: string[], ndots: number): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1)];
  const expanded = searches.map((s) => `${name}.${s}`);
  const dots = (name.match(/\./g) ?? []).length;
  return dots >= ndots ? [name, ...expanded] : [...expanded, name];
}

function describePolicies(checks: DnsPolicyCheck[], protocol: 'UDP' | 'TCP'): string {
  const denied = checks.filter((c) => c.protocol === protocol && !c.isAllowed);
  const first = denied[0];
  if (!first) return '';
  const side = first.egress.verdict === 'denied' ? first.egress : first.ingress;
  return side.line;
}

/**
 * Looks `name` up as the source would: from a pod with its dnsPolicy, from a node with its own
 * resolv.conf (which the model does not know).
 */
export function lookupName(ctx: DnsContext, source: { pod: PodRecord | null; host: Host | null }, name: string): DnsResult {
  const { topology } = ctx;
  const pod = source.pod;
  const dnsPolicy = pod?.dnsPolicy ?? 'ClusterFirst';
  const kubeDns = clusterDnsService(topology);
  const kubeDnsIP = kubeDns?.clusterIPs[0] ?? null;
  const where = pod ? `${pod.namespace}/${pod.name}` : `node ${source.host?.name ?? '?'}`;
  // The kubelet's settings on the source's node: read from its configz, else assumed (said so).
  const kubelet = kubeletDnsOf(source.host, kubeDnsIP, kubeDns ? serviceLabel(kubeDns) : 'svc kube-system/kube-dns');
  const conf = pod ? podResolvConf(pod, kubelet) : null;
  // The addresses that are the cluster DNS: the kubelet's, kube-dns's, and NodeLocal DNSCache's.
  const clusterNameservers = new Set([...kubelet.clusterDNS, ...(kubeDns?.clusterIPs ?? []), ...(topology.cluster.nodeLocalDns?.localIPs ?? [])]);

  let resolver: DnsLookup['resolver'];
  let why: string;
  if (!pod || !conf) {
    resolver = 'node';
    why = `a node resolves with its own /etc/resolv.conf, which is not in the Kubernetes API and normally does not point at the cluster DNS`;
  } else if (conf.kind === 'host') {
    resolver = 'node';
    why =
      dnsPolicy === 'Default'
        ? 'dnsPolicy Default: the pod gets its node\'s /etc/resolv.conf, not the cluster DNS'
        : dnsPolicy === 'ClusterFirst' && pod.isHostNetwork
          ? 'hostNetwork with dnsPolicy ClusterFirst: the kubelet falls back to the node\'s /etc/resolv.conf (ClusterFirstWithHostNet would give it the cluster DNS)'
          : `dnsPolicy ${dnsPolicy}, but the kubelet on ${source.host?.name ?? '?'} has no clusterDNS: it falls back to the node's /etc/resolv.conf`;
  } else if (conf.kind === 'none') {
    resolver = conf.nameservers.some((n) => clusterNameservers.has(n)) ? 'cluster' : 'custom';
    why = `dnsPolicy None: resolv.conf is exactly spec.dnsConfig (nameservers ${conf.nameservers.join(', ') || 'none'})`;
  } else {
    resolver = 'cluster';
    why = `dnsPolicy ${dnsPolicy}: the kubelet points resolv.conf at the cluster DNS with the namespace's search path`;
  }

  const namespace = pod?.namespace ?? 'default';
  const domain = kubelet.clusterDomain || clusterDomain;
  const clusterSearches = [`${namespace}.svc.${domain}`, `svc.${domain}`, domain];
  const searches = conf?.searches ?? [];
  const nameservers = conf?.nameservers ?? [];
  const ndots = conf?.ndots ?? 1;

  // What the name means in the cluster, whichever resolver asks: the queries the pod's search
  // path makes (or, for a node, the cluster search path of namespace default).
  const queries: DnsQuery[] = [];
  let answer: Extract<Answer, { kind: 'records' }> | null = null;
  let upstream = false;
  const candidates = queriesFor(name, resolver === 'cluster' ? searches : clusterSearches, resolver === 'cluster' ? ndots : 5);
  for (const candidate of candidates) {
    const result = clusterAnswer(topology, candidate, domain, ctx.family);
    if (result.kind === 'records') {
      queries.push({ name: candidate, answer: result.values });
      answer = result;
      break;
    }
    if (result.kind === 'forwarded') {
      if (!looksInCluster(topology, candidate, domain)) {
        queries.push({ name: candidate, answer: 'forwarded' });
        upstream = true;
        break;
      }
      queries.push({ name: candidate, answer: 'NXDOMAIN' });
      continue;
    }
    queries.push({ name: candidate, answer: 'NXDOMAIN' });
  }
  const target: DnsTarget | null = answer ? answer.target : upstream ? { kind: 'upstream', name: name.replace(/\.$/, '') } : null;

  const srcIP = pod ? podAddress(pod, kubeDnsIP ?? undefined) : source.host ? nodeAddress(source.host) : '';
  const query: Packet = { src: srcIP, dst: nameservers[0] ?? '?', dstPort: 53, protocol: 'UDP' };
  const resolvEvidence: Evidence[] = [
    { text: why, ...(pod ? { object: pod.id, field: 'spec.dnsPolicy' } : {}) },
    ...(pod && !pod.isHostNetwork ? [{ text: 'the resolv.conf the kubelet wrote', command: kubectlExec(pod, 'cat /etc/resolv.conf') }] : []),
  ];
  if (resolver === 'cluster' || conf?.notes.length) resolvEvidence.push({ text: kubelet.evidence, ...(kubelet.isAssumed ? {} : { object: source.host?.id }) });
  for (const note of conf?.notes ?? []) resolvEvidence.push({ text: note });
  if (conf && conf.nodeParts.length > 0 && pod) resolvEvidence.push({ text: `the node's own resolv.conf adds its ${conf.nodeParts.join(' and ')}${conf.kind === 'cluster' ? ' after the cluster search path' : ''}, which the Kubernetes API does not show` });
  const hops: Hop[] = [
    hop(
      'dns',
      `resolv.conf of ${where} (${pod ? `dnsPolicy ${dnsPolicy}` : 'the node\'s'}): ${nameservers.length > 0 ? `nameserver ${nameservers.join(', ')}` : 'nameserver unknown'}${searches.length > 0 ? `, search ${searches.join(' ')}` : ''}${resolver === 'cluster' || dnsPolicy === 'None' ? `, ndots:${ndots}` : ''}`,
      query,
      [pod?.id, source.host?.id],
      source.host?.id ?? null,
      resolvEvidence,
    ),
  ];

  const lookup: DnsLookup = {
    name,
    dnsPolicy: pod ? dnsPolicy : 'node',
    resolver,
    nameservers,
    searches,
    ndots,
    queries,
    answer: answer ? { type: answer.type, values: answer.values } : null,
    service: resolver === 'cluster' ? (kubeDns?.id ?? null) : null,
    endpoints: [],
    policy: [],
    status: 'resolved',
    summary: '',
    hops,
  };
  const fail = (status: DnsLookup['status'], summary: string): DnsResult => {
    lookup.status = status;
    lookup.summary = summary;
    return { lookup, target, isFailed: true };
  };
  const meaning = target ? targetText(target) : null;

  if (resolver !== 'cluster') {
    if (upstream) {
      lookup.status = 'upstream';
      lookup.summary = `${where} resolves ${name} with ${resolver === 'node' ? 'the node\'s resolvers' : `its own nameservers (${nameservers.join(', ')})`}; the answer is outside the cluster's knowledge`;
      return { lookup, target, isFailed: false };
    }
    return fail(
      'no-cluster-dns',
      `${where} cannot resolve ${name}: ${why}, and those resolvers do not serve ${clusterDomain} names${meaning ? ` (in the cluster it would be ${meaning})` : ''}.${pod?.isHostNetwork ? ' Set dnsPolicy: ClusterFirstWithHostNet, or trace the Service\'s id or ClusterIP.' : ' Trace the Service\'s id or ClusterIP instead.'}`,
    );
  }
  if (!kubeDns || !kubeDnsIP) {
    // Not seen is not absent: kube-system may be forbidden to this user, or the DNS Service
    // named otherwise. Where the cluster's own records answer the name, the trace goes on, and
    // says the lookup itself is unchecked.
    if (!target) return fail('no-cluster-dns', `no cluster DNS Service (kube-system/kube-dns) in the model, so ${name} cannot be resolved`);
    lookup.status = 'unverified';
    lookup.summary = `no cluster DNS Service (kube-system/kube-dns) in the model — not listed, forbidden, or named otherwise — so the lookup of ${name} is not checked; traced on as CoreDNS would answer it: ${meaning}`;
    return { lookup, target, isFailed: false };
  }

  if (!source.host) return fail('no-cluster-dns', `${where} is on no node`);
  // NodeLocal DNSCache on the source's node answers instead of kube-proxy's DNAT to CoreDNS.
  const listener = nodeLocalListener(topology, source.host, nameservers[0], kubeDns.clusterIPs);
  let isPartlyDenied = false;
  let tcpNote = '';
  let unverified: string | null = null;
  let answerer = 'CoreDNS';
  if (listener) {
    const path = nodeLocalPath(ctx, { pod, host: source.host }, query, listener, kubeDns, !upstream);
    hops.push(...path.hops);
    lookup.endpoints = path.endpoints;
    lookup.policy = path.policy;
    if (path.failure) return { ...fail(path.failure.status, path.failure.summary), ...(path.failure.why ? { why: path.failure.why } : {}) };
    unverified = path.unverified;
    answerer = 'node-cache (CoreDNS behind it on a miss)';
  } else {
    // The query's path to CoreDNS: kube-proxy on the pod's node, then the pod's egress policy.
    const { udp: udpPort, tcp: tcpPort } = dnsPorts(kubeDns);
    if (!udpPort) return fail('no-cluster-dns', `${serviceLabel(kubeDns)} has no UDP port 53`);
    const resolution = resolveService(ctx, kubeDns, udpPort, source.host, query, 'cluster-ip');
    hops.push(...resolution.hops);
    lookup.endpoints = resolution.choices.map((c) => c.endpoint.id);
    if (resolution.failure) {
      hops.push(resolution.failure.hop);
      return { ...fail('no-endpoints', `the name lookup fails: ${serviceLabel(kubeDns)} — ${resolution.failure.summary}`), why: resolution.failure.why };
    }

    const checks = dnsPolicyChecks(topology, ctx.evaluate, { pod: pod ?? null, ip: srcIP }, resolution.choices.map((c) => c.endpoint), udpPort, tcpPort);
    lookup.policy = checks;
    const udp = checks.filter((c) => c.protocol === 'UDP');
    const tcp = checks.filter((c) => c.protocol === 'TCP');
    const isolating = checks.filter((c) => c.egress.verdict === 'allowed' || c.egress.verdict === 'denied' || c.ingress.verdict === 'allowed' || c.ingress.verdict === 'denied');
    if (isolating.length > 0) {
      const policyIds = [...new Set(checks.flatMap((c) => [...c.egress.isolatedBy, ...c.ingress.isolatedBy]))];
      const state = (list: DnsPolicyCheck[]) => (list.length === 0 ? 'no port' : list.every((c) => c.isAllowed) ? 'allowed' : list.some((c) => c.isAllowed) ? 'allowed to some endpoints' : 'denied');
      const deciding = checks.find((c) => !c.isAllowed) ?? checks[0];
      const evidence: Evidence[] = [];
      if (deciding) {
        const side = deciding.egress.verdict === 'denied' || deciding.egress.verdict === 'allowed' ? deciding.egress : deciding.ingress;
        evidence.push({ text: side.line, ...(side.isolatedBy[0] ? { object: side.isolatedBy[0], command: policyCommand(topology, side.isolatedBy[0]) } : {}) });
      }
      hops.push(hop('policy', `NetworkPolicy for DNS from ${where}: UDP 53 ${state(udp)}, TCP 53 ${state(tcp)}`, query, [pod?.id, ...policyIds, ...udp.map((c) => c.pod)], source.host.id, evidence));
    }
    if (udp.length > 0 && udp.every((c) => !c.isAllowed)) {
      return fail('policy-denied', `the name lookup is blocked: ${describePolicies(checks, 'UDP')} (UDP 53 to CoreDNS ${udp.map((c) => topology.endpoints[c.endpoint]?.address).join(', ')}); without DNS the connection never starts`);
    }
    isPartlyDenied = udp.some((c) => !c.isAllowed);
    tcpNote = tcp.length > 0 && tcp.some((c) => !c.isAllowed) ? `; TCP 53 is ${tcp.every((c) => !c.isAllowed) ? 'denied' : 'partly denied'} (${describePolicies(checks, 'TCP')}), so answers too large for UDP fail` : '';
  }

  const answerEvidence: Evidence[] = [];
  if (pod && !pod.isHostNetwork) answerEvidence.push({ text: 'ask it the same way', command: kubectlExec(pod, sh`nslookup ${name}`) });
  if (answer?.target.kind === 'headless') answerEvidence.push({ text: `${serviceLabel(answer.target.service)} is headless (clusterIP: None): CoreDNS answers with the ready endpoints' addresses, and the client connects to one directly`, object: answer.target.service.id, field: 'spec.clusterIP' });
  if (answer?.target.kind === 'external-name') answerEvidence.push({ text: `${serviceLabel(answer.target.service)} is type ExternalName: CoreDNS answers with a CNAME, and the client resolves that outside the cluster`, object: answer.target.service.id, field: 'spec.externalName' });
  if (answer?.target.kind === 'service') answerEvidence.push({ text: `${serviceLabel(answer.target.service)}'s ClusterIP`, object: answer.target.service.id, field: 'spec.clusterIPs' });
  const tried = queries.map((q) => `${q.name} → ${Array.isArray(q.answer) ? q.answer.join(', ') : q.answer}`).join('; ');
  hops.push(
    hop('dns', answer ? `${answerer} answers ${queries.at(-1)?.name ?? name} ${answer.type} ${answer.values.join(', ')}` : upstream ? `${listener ? 'node-cache' : 'CoreDNS'} forwards ${name} to the upstream resolvers` : `${answerer} answers NXDOMAIN for ${name}`, query, [kubeDns.id, ...lookup.endpoints, answer ? serviceOf(answer.target)?.id : undefined], source.host.id, [
      { text: `queries in search order: ${tried}` },
      ...answerEvidence,
    ]),
  );
  if (!answer && !upstream) return fail('nxdomain', `${name} does not resolve from ${where} (${tried})`);
  if (isPartlyDenied) {
    lookup.status = 'partly-denied';
    lookup.summary = `The name lookup works only when kube-proxy picks an allowed CoreDNS endpoint: ${describePolicies(lookup.policy, 'UDP')}`;
    return { lookup, target, isFailed: false };
  }
  if (unverified && !upstream) {
    lookup.status = 'unverified';
    lookup.summary = `${unverified}; traced on as CoreDNS would answer it: ${meaning ?? ''}`;
    return { lookup, target, isFailed: false };
  }
  lookup.status = upstream ? 'upstream' : 'resolved';
  lookup.summary = upstream ? `${name} is not a cluster name: CoreDNS forwards it upstream${tcpNote}` : `${name} → ${answer?.values.join(', ') ?? ''} (${meaning ?? ''})${tcpNote}`;
  return { lookup, target, isFailed: false };
}

function serviceOf(target: DnsTarget): ServiceRecord | null {
  return target.kind === 'upstream' ? null : target.service;
}

function targetText(target: DnsTarget): string {
  switch (target.kind) {
    case 'service':
      return `${serviceLabel(target.service)}, ClusterIP ${target.ip}`;
    case 'headless':
      return `headless ${serviceLabel(target.service)}, pods ${target.ips.join(', ')}`;
    case 'external-name':
      return `ExternalName ${serviceLabel(target.service)}, CNAME ${target.cname}`;
    case 'upstream':
      return `${target.name}, outside the cluster`;
  }
}

/** The one hop a trace's main path shows for its lookup; `trace.dns.hops` has the details. */
export function dnsSummaryHop(result: DnsResult, host: Host | null, pod: PodRecord | null): Hop {
  const lookup = result.lookup;
  const first = lookup.hops[0];
  const packet: Packet = first?.packet ?? { src: '', dst: '', protocol: 'UDP' };
  const hopIds = [...new Set(lookup.hops.flatMap((h) => h.ids))];
  const label = result.isFailed ? `DNS ${lookup.name}: ${lookup.status}` : `DNS ${lookup.name} → ${lookup.answer ? lookup.answer.values.join(', ') : 'forwarded upstream'}${lookup.service ? ` (asked ${lookup.nameservers[0] ?? ''}:53)` : ''}`;
  return hop('dns', label, packet, [pod?.id, ...hopIds], host?.id ?? null, [{ text: lookup.summary }, ...(first?.evidence ?? [])]);
}
