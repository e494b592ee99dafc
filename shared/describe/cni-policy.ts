/**
 * Calico's and Cilium's own policies as the details panel shows them: which of them select a pod,
 * in the order the plugin tries them (Calico: tiers by order, then policies by order; Cilium:
 * the policies with a deny rule first, as deny wins over allow), each rule in a line, and one
 * policy (or a Calico tier) with its place, its selector, its rules and the pods it selects.
 * The verdicts themselves are shared/policy/cni/'s; this file only says what is written.
 */
import type { CalicoEntityRule, CalicoRule, CiliumPeerRule, CiliumRule } from '../kube/cni-policy-objects.ts';
import type { LabelSelector } from '../kube/objects.ts';
import type { CalicoPolicyRecord, CalicoTierRecord, CiliumPolicyRecord, CniPolicyRecord } from '../model/cni-policy.ts';
import type { Id, PodRecord, Topology } from '../model/types.ts';
import { calicoSteps } from '../policy/cni/calico.ts';
import { appliesTo } from '../policy/cni/calico-match.ts';
import { selectsEndpoint } from '../policy/cni/cilium-match.ts';
import { describeSelector } from '../policy/words.ts';
import type { DescribedCniPolicy, DescribedCniRule, ElementRef } from './types.ts';

type Direction = 'ingress' | 'egress';
const directions: readonly Direction[] = ['ingress', 'egress'];

/** How each plugin decides, in one sentence for a first-time reader. */
export const cniOrderText = {
  calico:
    "Calico tries its tiers by order, lowest first, and in each tier the policies that select the pod by order: the first matching rule decides with Allow or Deny, Pass skips to the next tier, and a tier whose policies select the pod but match nothing denies it (unless the tier's default action is Pass); Kubernetes NetworkPolicies sit in tier default at order 1000.",
  cilium:
    'Cilium pools every rule that selects the pod, Kubernetes NetworkPolicies included: a matching deny rule wins over any allow; otherwise a matching allow rule lets the flow in, and a pod selected for a direction denies what no rule allows (unless enableDefaultDeny is false).',
} as const;

/** `Calico GlobalNetworkPolicy security.deny-dev`, `CiliumNetworkPolicy shop/web`, `Calico tier security`. */
export function cniPolicyName(record: CniPolicyRecord): string {
  if (record.apiKind === 'Tier') return `Calico tier ${record.name}`;
  const name = 'namespace' in record && record.namespace ? `${record.namespace}/${record.name}` : record.name;
  return record.cni === 'calico' ? `Calico ${record.apiKind} ${name}` : `${record.apiKind} ${name}`;
}

function calicoEntityWords(entity: CalicoEntityRule | undefined, isSource: boolean): string[] {
  if (!entity) return [];
  const words: string[] = [];
  if (entity.selector !== undefined) words.push(`selector ${entity.selector}`);
  if (entity.namespaceSelector?.trim()) words.push(`${entity.selector !== undefined ? 'in ' : ''}namespaces ${entity.namespaceSelector}`);
  if (entity.notSelector !== undefined) words.push(`not selector ${entity.notSelector}`);
  if (entity.nets) words.push(`nets ${entity.nets.join(', ')}`);
  if (entity.notNets) words.push(`not nets ${entity.notNets.join(', ')}`);
  if (entity.serviceAccounts) words.push(`service accounts ${[...(entity.serviceAccounts.names ?? []), ...(entity.serviceAccounts.selector ? [entity.serviceAccounts.selector] : [])].join(', ')}`);
  if (entity.services) words.push(`Service ${entity.services.namespace ? `${entity.services.namespace}/` : ''}${entity.services.name}`);
  if (entity.ports) words.push(`${isSource ? 'source ' : ''}ports ${entity.ports.join(', ')}`);
  if (entity.notPorts) words.push(`${isSource ? 'source ' : ''}not ports ${entity.notPorts.join(', ')}`);
  return words;
}

/** `from selector app == "client" in namespaces env == "dev" · to ports 443 · TCP`. */
export function describeCalicoRule(rule: CalicoRule, direction: Direction): string {
  const source = calicoEntityWords(rule.source, true);
  const destination = calicoEntityWords(rule.destination, false);
  const parts = [`from ${source.length > 0 ? source.join(' ') : 'anywhere'}`];
  // An ingress rule's destination is the pod itself unless it says more; egress's is the peer.
  if (destination.length > 0 || direction === 'egress') parts.push(`to ${destination.length > 0 ? destination.join(' ') : 'anywhere'}`);
  if (rule.protocol !== undefined) parts.push(`protocol ${rule.protocol}`);
  if (rule.notProtocol !== undefined) parts.push(`not protocol ${rule.notProtocol}`);
  if (rule.ipVersion !== undefined) parts.push(`IPv${rule.ipVersion}`);
  if (rule.hasIcmp) parts.push('ICMP');
  return parts.join(' · ');
}

function calicoRules(policy: CalicoPolicyRecord): DescribedCniRule[] {
  return directions.flatMap((direction) =>
    policy.types.includes(direction === 'ingress' ? 'Ingress' : 'Egress')
      ? policy[direction].map((rule, index) => ({
          direction,
          section: direction,
          index,
          action: rule.action,
          text: describeCalicoRule(rule, direction),
          ...(rule.hasHttp ? { note: 'its HTTP match decides per request: not evaluated' } : {}),
        }))
      : [],
  );
}

function endpointsWords(selectors: LabelSelector[], policy: CiliumPolicyRecord): string {
  return selectors
    .map((s) => {
      const text = describeSelector(s);
      return text === '{}' ? (policy.namespace === null ? 'every endpoint' : `every endpoint in ${policy.namespace}`) : `endpoints ${text}`;
    })
    .join(' or ');
}

/** `from endpoints app=client · ports 80/TCP (L7 http rules)`. */
export function describeCiliumPeerRule(rule: CiliumPeerRule, direction: Direction, policy: CiliumPolicyRecord): { text: string; l7: string[] } {
  const isIngress = direction === 'ingress';
  const peers: string[] = [];
  const endpoints = isIngress ? rule.fromEndpoints : rule.toEndpoints;
  if (endpoints) peers.push(endpointsWords(endpoints, policy));
  const entities = isIngress ? rule.fromEntities : rule.toEntities;
  if (entities) peers.push(`entities ${entities.join(', ')}`);
  const cidrs = [...((isIngress ? rule.fromCIDR : rule.toCIDR) ?? []), ...((isIngress ? rule.fromCIDRSet : rule.toCIDRSet) ?? []).map((c) => (c.cidrGroupRef ? `group ${c.cidrGroupRef}` : `${c.cidr ?? '?'}${c.except?.length ? ` except ${c.except.join(', ')}` : ''}`))];
  if (cidrs.length > 0) peers.push(`CIDR ${cidrs.join(', ')}`);
  const nodes = isIngress ? rule.fromNodes : rule.toNodes;
  if (nodes) peers.push(`nodes ${nodes.map(describeSelector).join(' or ')}`);
  if (!isIngress && rule.toFQDNs) peers.push(`FQDN ${rule.toFQDNs.join(', ')}`);
  if (!isIngress && rule.toServices) peers.push(`Services ${rule.toServices.join(', ')}`);
  const requires = isIngress ? rule.fromRequires : rule.toRequires;
  const ports = (rule.toPorts ?? []).flatMap((p) => (p.ports ?? []).map((port) => `${port.port ?? '0'}${port.endPort ? `-${port.endPort}` : ''}/${port.protocol ?? 'ANY'}`));
  const l7 = [...new Set((rule.toPorts ?? []).flatMap((p) => p.l7 ?? []))];
  const isEmpty = peers.length === 0 && !rule.toPorts && !rule.hasIcmps;
  // An empty rule matches nothing (cilium-match.ts): it only turns on default deny.
  const who = isEmpty ? 'nothing (an empty rule only turns on default deny)' : peers.length > 0 ? peers.join(' or ') : 'any peer';
  const parts = [`${isIngress ? 'from' : 'to'} ${who}`];
  if (requires) parts.push(`requiring ${requires.map(describeSelector).join(', ')}`);
  if (ports.length > 0) parts.push(`ports ${ports.join(', ')}`);
  if (rule.hasIcmps) parts.push('ICMP');
  return { text: parts.join(' · '), l7 };
}

function ciliumRules(policy: CiliumPolicyRecord, only?: (rule: CiliumRule) => boolean): DescribedCniRule[] {
  const out: DescribedCniRule[] = [];
  // Deny sections first: they win over allow whatever the order written.
  for (const isDeny of [true, false]) {
    for (const [spec, rule] of policy.rules.entries()) {
      if (only && !only(rule)) continue;
      for (const direction of directions) {
        const section = isDeny ? (direction === 'ingress' ? 'ingressDeny' : 'egressDeny') : direction;
        for (const [index, peer] of (rule[section] ?? []).entries()) {
          const { text, l7 } = describeCiliumPeerRule(peer, direction, policy);
          out.push({ direction, section, index, spec, action: isDeny ? 'Deny' : 'Allow', text, ...(l7.length > 0 && !isDeny ? { note: `L7 ${l7.join(', ')} rules decide per request: not evaluated` } : {}) });
        }
      }
    }
  }
  return out;
}

const hasDeny = (rules: readonly CiliumRule[]) => rules.some((r) => (r.ingressDeny ?? []).length > 0 || (r.egressDeny ?? []).length > 0);

/** A policy that selects the pod, as the pod's panel lists it. */
export interface SelectingCniPolicy {
  record: CalicoPolicyRecord | CiliumPolicyRecord;
  /** `tier security (order 100) · order 10`; empty for Cilium. */
  place: string;
  /** The directions it applies to the pod for. */
  directions: Direction[];
  /** Set when whether it selects the pod rests on what Podpath does not read. */
  maybe?: string;
  rules: DescribedCniRule[];
}

function calicoPlace(policy: CalicoPolicyRecord, tierOrder: number | null): string {
  return `tier ${policy.tier}${tierOrder === null ? '' : ` (order ${tierOrder})`} · ${policy.order === null ? 'no order (last)' : `order ${policy.order}`}`;
}

/** The Calico and Cilium policies that select `pod`, in the order their plugin tries them. */
export function cniPoliciesOf(topology: Topology, pod: PodRecord): SelectingCniPolicy[] {
  if (pod.isHostNetwork) return [];
  const all = Object.values(topology.cniPolicies ?? {});
  const tiers = all.filter((r): r is CalicoTierRecord => r.cni === 'calico' && r.apiKind === 'Tier');
  const calico = all.filter((r): r is CalicoPolicyRecord => r.cni === 'calico' && r.apiKind !== 'Tier');
  const cilium = all.filter((r): r is CiliumPolicyRecord => r.cni === 'cilium');
  const out: SelectingCniPolicy[] = [];
  for (const step of calicoSteps(tiers, calico, [])) {
    if (step.kind !== 'tier') continue;
    for (const member of step.members) {
      if (member.kind !== 'calico') continue;
      const matches = directions.map((d) => ({ d, m: appliesTo(topology, member.policy, pod, d) })).filter((x) => x.m.match !== 'no');
      if (matches.length === 0) continue;
      const maybe = matches.find((x) => x.m.match === 'maybe');
      out.push({ record: member.policy, place: calicoPlace(member.policy, step.order), directions: matches.map((x) => x.d), ...(maybe ? { maybe: maybe.m.text } : {}), rules: calicoRules(member.policy) });
    }
  }
  const ciliumSelecting = cilium
    .map((policy) => ({ policy, rules: policy.rules.filter((r) => selectsEndpoint(topology, policy, r, pod)) }))
    .filter((x) => x.rules.length > 0)
    .sort((a, b) => Number(hasDeny(b.rules)) - Number(hasDeny(a.rules)) || (a.policy.id < b.policy.id ? -1 : 1));
  for (const { policy, rules } of ciliumSelecting) {
    const selected = new Set(rules);
    const described = ciliumRules(policy, (r) => selected.has(r));
    out.push({ record: policy, place: '', directions: directions.filter((d) => described.some((r) => r.direction === d)), rules: described });
  }
  return out;
}

/** For the pod's one-line summaries: the Calico tiers and Cilium policies that apply to the pod
 * in `direction`, named (`Calico tier security`, `CiliumNetworkPolicy shop/web`). */
export function cniLayersOf(topology: Topology, pod: PodRecord, direction: Direction): { id: Id | null; title: string }[] {
  const seen = new Set<string>();
  const out: { id: Id | null; title: string }[] = [];
  for (const s of cniPoliciesOf(topology, pod)) {
    if (!s.directions.includes(direction)) continue;
    if (s.record.cni === 'calico') {
      const title = `Calico tier ${s.record.tier}`;
      if (seen.has(title)) continue;
      seen.add(title);
      // A tier is linked to its Tier object when the cluster has one; else to the first policy.
      const tierId = `caltier:${s.record.tier}`;
      out.push({ id: topology.cniPolicies[tierId] ? tierId : s.record.id, title });
    } else out.push({ id: s.record.id, title: cniPolicyName(s.record) });
  }
  return out;
}

function podsOf(topology: Topology, test: (pod: PodRecord) => boolean): ElementRef[] {
  return Object.values(topology.pods)
    .filter((pod) => !pod.isHostNetwork && test(pod))
    .sort((a, b) => (`${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1))
    .map((pod) => ({ id: pod.id, name: pod.name, namespace: pod.namespace }));
}

export function describeCniPolicy(topology: Topology, record: CniPolicyRecord): DescribedCniPolicy {
  const base = { id: record.id, cni: record.cni, apiKind: record.apiKind, name: record.name, title: cniPolicyName(record), order: cniOrderText[record.cni] };
  const all = Object.values(topology.cniPolicies ?? {});
  if (record.cni === 'calico' && record.apiKind === 'Tier') {
    const members = all
      .filter((r): r is CalicoPolicyRecord => r.cni === 'calico' && r.apiKind !== 'Tier' && r.tier === record.name)
      .sort((a, b) => (a.order ?? Infinity) - (b.order ?? Infinity) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((p) => ({ id: p.id, name: cniPolicyName(p) }));
    return { ...base, namespace: null, place: `order ${record.order ?? 'none (last)'} · default action ${record.defaultAction}`, selects: `the pods its ${members.length} polic${members.length === 1 ? 'y selects' : 'ies select'}`, rules: [], pods: [], members };
  }
  if (record.cni === 'calico') {
    const tier = all.find((r): r is CalicoTierRecord => r.cni === 'calico' && r.apiKind === 'Tier' && r.name === record.tier);
    const tierOrder = tier ? tier.order : record.tier === 'default' ? 1_000_000 : null;
    const selects = [`selector ${record.selector}`, ...(record.namespace ? [`in namespace ${record.namespace}`] : []), ...(record.namespaceSelector ? [`in namespaces ${record.namespaceSelector}`] : []), ...(record.serviceAccountSelector ? [`service accounts ${record.serviceAccountSelector}`] : [])];
    return {
      ...base,
      namespace: record.namespace,
      place: `${calicoPlace(record, tierOrder)} · types ${record.types.join(', ')}${record.isHostOnly ? ' · host endpoints only (preDNAT or doNotTrack)' : ''}`,
      selects: selects.join(' '),
      tierId: tier?.id ?? null,
      rules: calicoRules(record),
      pods: podsOf(topology, (pod) => directions.some((d) => appliesTo(topology, record, pod, d).match !== 'no')),
    };
  }
  const selectors = record.rules.map((r) => (r.endpointSelector ? `endpoints ${describeSelector(r.endpointSelector)}` : 'nodes (a host policy)'));
  return {
    ...base,
    namespace: record.namespace,
    place: record.namespace === null ? 'cluster-wide' : `namespace ${record.namespace}`,
    selects: [...new Set(selectors)].join(' or '),
    rules: ciliumRules(record),
    pods: podsOf(topology, (pod) => record.rules.some((r) => selectsEndpoint(topology, record, r, pod))),
  };
}
