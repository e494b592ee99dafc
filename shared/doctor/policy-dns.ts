/**
 * Name lookups NetworkPolicy blocks (issue 17): pods that use the cluster DNS but may not send it
 * 53/UDP (every lookup fails, so every connection by name does), or may send 53/UDP but not
 * 53/TCP (answers too large for UDP come back truncated, and the resolver's retry over TCP
 * fails). Each query is judged exactly as a trace judges it (shared/trace/dns.ts
 * dnsPolicyChecks): the evaluator, from the pod to each ready CoreDNS endpoint, egress and ingress.
 *
 * Pods with the same labels in one namespace are judged once, by their first pod (their policies
 * are the same; only an ipBlock on CoreDNS's own ingress could tell their addresses apart). The
 * answer is one problem per namespace — the standard fix is one allow-dns policy there — or, when
 * CoreDNS's own ingress policy is what refuses, one per such policy.
 */
import type { NetworkPolicyPort } from '../kube/objects.ts';
import type { EndpointRecord, PodRecord, PolicyRecord, ServicePortRecord, ServiceRecord, Topology } from '../model/types.ts';
import { evaluatePolicy } from '../policy/evaluate.ts';
import { policiesYaml, policyManifest } from '../policy/fix.ts';
import { isolationOf, policiesByNamespace } from '../policy/isolation.ts';
import type { DirectionVerdict } from '../policy/types.ts';
import { listNames } from '../policy/words.ts';
import { matchesSelector } from '../kube/selector.ts';
import { ids } from '../topology/ids.ts';
import { joinHostPort } from '../topology/kube-proxy.ts';
import { clusterDnsService, dnsPolicyChecks, dnsPorts } from '../trace/dns.ts';
import { endpointPort, usableEndpoints } from '../trace/proxy.ts';
import type { DnsPolicyCheck } from '../trace/types.ts';
import { isUnreadable, podIndex, somePods } from './policy-pods.ts';
import type { Check, Problem, Severity } from './types.ts';

/** How the lookups of a group of pods fare. */
type Outcome = 'udp-denied' | 'udp-partly-denied' | 'tcp-denied' | 'egress-denied';

interface Bucket {
  outcome: Outcome;
  /** Whose policy refuses: the pods' own egress (in `namespace`), or CoreDNS's ingress. */
  side: 'egress' | 'ingress';
  namespace: string;
  pods: PodRecord[];
  /** A denied check, for the evidence; null for `egress-denied` (nothing was evaluated). */
  example: DnsPolicyCheck | null;
  /** A UDP check that was allowed, for the TCP fix. */
  allowedUdp: DnsPolicyCheck | null;
  policies: Set<string>;
}

const severities: Record<Outcome, Severity> = { 'udp-denied': 'error', 'udp-partly-denied': 'warning', 'tcp-denied': 'warning', 'egress-denied': 'info' };

export const policyBlocksDns: Check = (topology) => {
  if (isUnreadable(topology, 'pods')) return [];
  const kubeDns = clusterDnsService(topology);
  const { udp, tcp } = kubeDns ? dnsPorts(kubeDns) : { udp: null, tcp: null };
  const clusterIP = kubeDns?.clusterIPs[0];
  // A missing DNS Service, port or endpoint is the Service checks' to report.
  if (!kubeDns || !udp || !clusterIP) return [];
  const family = clusterIP.includes(':') ? 6 : 4;
  const all = Object.values(topology.endpoints).filter((e) => e.service === kubeDns.id);
  const endpoints = usableEndpoints(all, udp, family, 'Cluster', null).endpoints;
  if (endpoints.length === 0) return [];
  const dnsPods = endpoints.flatMap((e) => (e.pod && topology.pods[e.pod] ? [topology.pods[e.pod]!] : []));
  const isDnsIngressIsolated = dnsPods.some((p) => isolationOf(topology, p).ingress);
  const dnsNamespaces = new Set(dnsPods.map((p) => p.namespace));
  const byNamespace = policiesByNamespace(topology);

  // Egress denials by namespace (one allow-dns fixes them), CoreDNS's ingress denials by policy.
  const buckets = new Map<string, Bucket>();
  const add = (found: Omit<Bucket, 'pods' | 'policies'>, pods: PodRecord[], policies: string[]) => {
    const key = `${found.side}\n${found.side === 'egress' ? found.namespace : policies.join(',')}\n${found.outcome}`;
    let bucket = buckets.get(key);
    if (!bucket) buckets.set(key, (bucket = { ...found, pods: [], policies: new Set() }));
    bucket.pods.push(...pods);
    for (const p of policies) bucket.policies.add(p);
  };

  for (const groups of podIndex(topology).groups.values()) {
    for (const group of groups) {
      const clients = group.pods.filter((p) => usesClusterDns(p, kubeDns));
      const pod = clients[0];
      if (!pod) continue;
      const egressPolicies = isolatingEgress(topology, pod);
      if (egressPolicies.length === 0 && !isDnsIngressIsolated) continue;
      if (egressPolicies.length > 0 && egressPolicies.every((p) => (p.spec.egress ?? []).length === 0)) {
        // Every egress denied is a choice (a pod that only answers), not a forgotten DNS rule.
        add({ outcome: 'egress-denied', side: 'egress', namespace: pod.namespace, example: null, allowedUdp: null }, clients, egressPolicies.map((p) => p.id));
        continue;
      }
      const ip = pod.ips.find((a) => a.includes(':') === (family === 6)) ?? pod.ips[0] ?? '';
      // Only the pod's namespace's policies (its egress) and CoreDNS's (its ingress) can decide.
      const relevant = [...new Set([pod.namespace, ...dnsNamespaces])].flatMap((ns) => byNamespace.get(ns) ?? []);
      const checks = dnsPolicyChecks(topology, (flow) => evaluatePolicy(topology, flow, { policies: relevant }), { pod, ip }, endpoints, udp, tcp);
      const denied = checks.filter((c) => !c.isAllowed);
      const example = denied[0];
      if (!example) continue;
      const udpChecks = checks.filter((c) => c.protocol === 'UDP');
      const outcome: Outcome = udpChecks.every((c) => !c.isAllowed) ? 'udp-denied' : udpChecks.some((c) => !c.isAllowed) ? 'udp-partly-denied' : 'tcp-denied';
      const side = denied.some((c) => c.egress.verdict === 'denied') ? 'egress' : 'ingress';
      const policies = [...new Set(denied.flatMap((c) => (side === 'egress' ? c.egress : c.ingress).isolatedBy))].sort();
      const deciding = denied.find((c) => (side === 'egress' ? c.egress : c.ingress).verdict === 'denied') ?? example;
      add({ outcome, side, namespace: pod.namespace, example: deciding, allowedUdp: udpChecks.find((c) => c.isAllowed) ?? null }, clients, policies);
    }
  }
  return [...buckets.values()].map((bucket) => problemOf(topology, kubeDns, endpoints, udp, tcp, bucket));
};

/** Whether the pod's resolv.conf points at the cluster DNS (as lookupName decides it). */
function usesClusterDns(pod: PodRecord, kubeDns: ServiceRecord): boolean {
  if (pod.dnsPolicy === 'Default') return false;
  if (pod.dnsPolicy === 'None') return (pod.dnsConfig?.nameservers ?? []).some((ns) => kubeDns.clusterIPs.includes(ns));
  return true;
}

function isolatingEgress(topology: Topology, pod: PodRecord): PolicyRecord[] {
  return (policiesByNamespace(topology).get(pod.namespace) ?? []).filter((p) => p.policyTypes.includes('Egress') && matchesSelector(pod.labels, p.spec.podSelector));
}

function problemOf(topology: Topology, kubeDns: ServiceRecord, endpoints: EndpointRecord[], udp: ServicePortRecord, tcp: ServicePortRecord | null, bucket: Bucket): Problem {
  const { outcome, side, namespace, pods, example } = bucket;
  const policies = [...bucket.policies].flatMap((id) => topology.policies[id] ?? []);
  const count = `${pods.length} pod${pods.length === 1 ? '' : 's'}`;
  const coreDns = `CoreDNS (service ${kubeDns.namespace}/${kubeDns.name})`;
  const decided: DirectionVerdict | null = example ? (side === 'egress' ? example.egress : example.ingress) : null;
  const why = [
    `pods: ${somePods(pods)}`,
    `${side === 'egress' ? `isolated for egress by` : `CoreDNS is isolated for ingress by`} ${listNames(policies)}`,
    ...(decided ? [decided.line, `${coreDns} endpoints: ${endpoints.map((e) => joinHostPort(e.address, endpointPort(e, udp) ?? 53)).join(', ')}`] : []),
  ];
  const related = [...pods.map((p) => p.id), ...policies.map((p) => p.id), ...endpoints.flatMap((e) => (e.pod ? [e.pod] : []))];
  const subject = side === 'egress' ? { subject: `namespace/${namespace}`, subjectId: ids.namespace(namespace) } : { subject: `networkpolicy/${policies[0]?.namespace}/${policies[0]?.name}`, subjectId: policies[0]?.id ?? null };
  const from = side === 'egress' ? `${count} in ${namespace}` : `${count} in ${[...new Set(pods.map((p) => p.namespace))].join(', ')}`;
  const messages: Record<Outcome, string> = {
    'udp-denied': side === 'egress' ? `DNS lookups fail from ${from}: their egress policies deny 53/UDP to ${coreDns}` : `DNS lookups fail from ${from}: CoreDNS's ingress policy denies them 53/UDP`,
    'udp-partly-denied': `DNS lookups from ${from} work only when kube-proxy picks a CoreDNS endpoint policy allows`,
    'tcp-denied': `${from} may send DNS over 53/UDP but not 53/TCP: answers too large for UDP come back truncated and the retry over TCP fails`,
    'egress-denied': `${from} may open no connection at all, DNS included: every egress is denied`,
  };
  const fix = outcome === 'egress-denied' ? null : side === 'egress' ? egressFix(topology, kubeDns, endpoints, udp, tcp, bucket) : ingressFix(policies[0] ?? null, endpoints, udp, tcp);
  return { kind: 'policy-blocks-dns', severity: severities[outcome], ...subject, message: messages[outcome], why, fix, related: [...new Set(related)] };
}

/** The DNS ports as a rule's `ports`: what CoreDNS's endpoints listen on (the DNS Service's
 * target ports), as policy sees the packet after DNAT. */
function dnsRulePorts(endpoints: EndpointRecord[], udp: ServicePortRecord, tcp: ServicePortRecord | null): { udp: NetworkPolicyPort; tcp: NetworkPolicyPort } {
  const port = (p: ServicePortRecord) => endpoints.map((e) => endpointPort(e, p)).find((n) => n !== null) ?? 53;
  return { udp: { protocol: 'UDP', port: port(udp) }, tcp: { protocol: 'TCP', port: tcp ? port(tcp) : 53 } };
}

/**
 * The standard allow-dns policy for the namespace: every pod there may send DNS to the DNS
 * Service's pods; or, when 53/UDP is already allowed by a rule with ports, that rule with 53/TCP.
 */
function egressFix(topology: Topology, kubeDns: ServiceRecord, endpoints: EndpointRecord[], udp: ServicePortRecord, tcp: ServicePortRecord | null, bucket: Bucket): string {
  const ports = dnsRulePorts(endpoints, udp, tcp);
  const ref = bucket.allowedUdp?.egress.allowedBy[0];
  const allowing = ref ? topology.policies[ref.policy] : undefined;
  const rule = ref && allowing ? allowing.spec.egress?.[ref.rule] : undefined;
  if (bucket.outcome === 'tcp-denied' && ref && allowing && rule?.ports?.length) {
    const egress = (allowing.spec.egress ?? []).map((r, i) => (i === ref.rule ? { ...r, ports: [...(r.ports ?? []), ports.tcp] } : r));
    return policiesYaml([policyManifest({ ...allowing, spec: { ...allowing.spec, egress } })], [`${ref.name}: 53/TCP added to egress rule ${ref.rule + 1}`]);
  }
  const taken = new Set(Object.values(topology.policies).filter((p) => p.namespace === bucket.namespace).map((p) => p.name));
  const name = ['allow-dns', 'allow-dns-egress', 'allow-cluster-dns'].find((n) => !taken.has(n)) ?? `allow-dns-${kubeDns.name}`;
  const manifest = policyManifest({
    id: ids.policy(bucket.namespace, name),
    kind: 'policy',
    name,
    namespace: bucket.namespace,
    policyTypes: ['Egress'],
    spec: {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': kubeDns.namespace } }, podSelector: { matchLabels: kubeDns.selector ?? {} } }],
          ports: [ports.udp, ports.tcp],
        },
      ],
    },
  });
  return policiesYaml([manifest], [`let every pod in ${bucket.namespace} query the cluster DNS: kubectl apply -f -`]);
}

/** CoreDNS's isolating policy, with a rule that admits DNS from anywhere: every pod resolves names. */
function ingressFix(policy: PolicyRecord | null, endpoints: EndpointRecord[], udp: ServicePortRecord, tcp: ServicePortRecord | null): string | null {
  if (!policy) return null;
  const ports = dnsRulePorts(endpoints, udp, tcp);
  const ingress = [...(policy.spec.ingress ?? []), { ports: [ports.udp, ports.tcp] }];
  return policiesYaml([policyManifest({ ...policy, spec: { ...policy.spec, ingress } })], [`${policy.namespace}/${policy.name}: an ingress rule added that admits DNS from any source`]);
}
