/**
 * Services NetworkPolicy cuts off (issue 17): endpoints of a Service whose ingress policies admit
 * no source at all on the port the Service sends them — not a narrow allow, which is a choice,
 * but nothing: every isolating rule is for other ports, or its peers match no pod. Every pod of
 * the cluster and every address an ipBlock names counts as a possible client, so a rule that
 * admits anyone on the port clears the endpoint. A port matches as the evaluator matches it
 * (shared/policy/rules.ts: protocol, endPort, named ports on the pod's containers).
 */
import type { EndpointRecord, Id, PodRecord, PolicyRecord, ServicePortRecord, ServiceRecord, Topology } from '../model/types.ts';
import { matchesSelector } from '../kube/selector.ts';
import { policiesYaml, policyManifest } from '../policy/fix.ts';
import { policiesByNamespace } from '../policy/isolation.ts';
import { briefPeer } from '../policy/line.ts';
import { evaluateRule, rulesOf, type Side } from '../policy/rules.ts';
import { describePort, listNames, qualifiedName } from '../policy/words.ts';
import { ids } from '../topology/ids.ts';
import { endpointPort } from '../trace/proxy.ts';
import { isUnreadable, podIndex, somePods, type PodGroup, type PodIndex } from './policy-pods.ts';
import { peerReach, ruleAdmitsSomeone } from './policy-selectors.ts';
import type { Check, Problem } from './types.ts';

interface BlockedPort {
  port: ServicePortRecord;
  /** The port on the pods (after DNAT) nothing is admitted on. */
  target: number;
  pods: PodRecord[];
  /** The Service's pods with an endpoint for this port. */
  total: number;
  policies: PolicyRecord[];
}

export const policyIsolatesServiceBackend: Check = (topology) => {
  if (isUnreadable(topology, 'pods')) return [];
  const index = podIndex(topology);
  const byService = new Map<Id, EndpointRecord[]>();
  for (const endpoint of Object.values(topology.endpoints)) {
    const list = byService.get(endpoint.service);
    if (list) list.push(endpoint);
    else byService.set(endpoint.service, [endpoint]);
  }
  // Pods alike in namespace and labels are isolated alike, and admitted alike when their
  // container ports (which named ports resolve against) are alike too.
  const isolating = new Map<PodGroup, PolicyRecord[]>();
  const admitted = new Map<PodGroup, Map<string, boolean>>();

  const problems: Problem[] = [];
  const services = Object.values(topology.services).sort((a, b) => (`${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1));
  for (const service of services) {
    const endpoints = byService.get(service.id) ?? [];
    const blocked: BlockedPort[] = [];
    for (const port of service.ports) {
      const seen = new Set<Id>();
      const entry: BlockedPort = { port, target: 0, pods: [], total: 0, policies: [] };
      for (const endpoint of endpoints) {
        const pod = endpoint.pod ? topology.pods[endpoint.pod] : undefined;
        const target = endpointPort(endpoint, port);
        // hostNetwork pods are outside policy; a port the endpoint lacks is the Service checks' to report.
        if (!pod || pod.isHostNetwork || target === null || seen.has(pod.id)) continue;
        seen.add(pod.id);
        entry.total++;
        const group = index.groupOf.get(pod.id);
        if (!group) continue;
        let policies = isolating.get(group);
        if (!policies) isolating.set(group, (policies = isolatingIngress(topology, group)));
        if (policies.length === 0) continue;
        let byPorts = admitted.get(group);
        if (!byPorts) admitted.set(group, (byPorts = new Map()));
        const key = `${target}/${port.protocol} ${JSON.stringify(pod.containers.map((c) => topology.containers[c]?.ports))}`;
        let isAdmitted = byPorts.get(key);
        if (isAdmitted === undefined) byPorts.set(key, (isAdmitted = admitsSomeone(topology, index, pod, policies, target, port.protocol)));
        if (isAdmitted) continue;
        entry.target = target;
        entry.pods.push(pod);
        for (const policy of policies) if (!entry.policies.includes(policy)) entry.policies.push(policy);
      }
      if (entry.pods.length > 0) blocked.push(entry);
    }
    if (blocked.length > 0) problems.push(problemOf(topology, index, service, blocked));
  }
  return problems;
};

function isolatingIngress(topology: Topology, group: PodGroup): PolicyRecord[] {
  return (policiesByNamespace(topology).get(group.namespace) ?? []).filter((p) => p.policyTypes.includes('Ingress') && matchesSelector(group.labels, p.spec.podSelector));
}

/** Whether some rule of the pod's isolating policies admits someone on `port`/`protocol`. */
function admitsSomeone(topology: Topology, index: PodIndex, pod: PodRecord, policies: PolicyRecord[], port: number, protocol: ServicePortRecord['protocol']): boolean {
  // Only the rule's port half is read from the evaluator; its peer half is judged against every
  // pod by ruleAdmitsSomeone, so the flow's source here is a stand-in.
  const here = { pod, ip: pod.ips[0] ?? '' };
  const side: Side = { topology, flow: { from: here, to: here, port, protocol }, direction: 'ingress', pod, peer: here };
  return policies.some((policy) => rulesOf(policy, 'ingress').some((rule, i) => ruleAdmitsSomeone(index, policy, rule.from) && evaluateRule(side, policy, rule, i).port.ok));
}

function problemOf(topology: Topology, index: PodIndex, service: ServiceRecord, blocked: BlockedPort[]): Problem {
  const name = `${service.namespace}/${service.name}`;
  const portText = (b: BlockedPort) => `${b.target}/${b.port.protocol}`;
  const isDead = blocked.some((b) => b.pods.length === b.total);
  const pods = [...new Map(blocked.flatMap((b) => b.pods.map((p) => [p.id, p] as const))).values()];
  const policies = [...new Set(blocked.flatMap((b) => b.policies))];
  const ports = [...new Set(blocked.map(portText))].join(', ');
  const message = isDead
    ? `no NetworkPolicy rule admits anyone to its pods on ${ports}: the Service cannot be reached there`
    : `${pods.length} of its ${Math.max(...blocked.map((b) => b.total))} pods (${somePods(pods)}) ${pods.length === 1 ? 'admits' : 'admit'} no one on ${ports}, so the connections kube-proxy sends there fail`;
  const why = [
    ...blocked.map((b) => `port ${b.port.name ?? b.port.port} (${b.port.port} → ${portText(b)}): ${b.pods.length} of ${b.total} pods isolated for ingress by ${listNames(b.policies)}, and no rule of theirs admits any source on ${portText(b)}`),
    ...policies.map((p) => `${qualifiedName(p)}: ${rulesText(index, p)}`),
  ];
  return {
    kind: 'policy-isolates-service-backend',
    severity: isDead ? 'error' : 'warning',
    subject: `service/${name}`,
    subjectId: service.id,
    message,
    why,
    fix: allowFix(topology, service, blocked, pods[0]),
    related: [...pods.map((p) => p.id), ...policies.map((p) => p.id)],
  };
}

/** A policy's ingress rules in a few words, peers that match no pod said so. */
function rulesText(index: PodIndex, policy: PolicyRecord): string {
  const rules = rulesOf(policy, 'ingress');
  if (rules.length === 0) return 'no ingress rules (denies all ingress)';
  return rules
    .map((rule, i) => {
      const ports = rule.ports?.length ? rule.ports.map(describePort).join(', ') : 'every port';
      const peers = rule.from?.length
        ? rule.from.map((peer) => {
            const kind = peerReach(index, policy, peer).kind;
            return `${briefPeer(peer, policy)}${kind === 'no-namespace' ? ' (matches no namespace)' : kind === 'no-pod' ? ' (matches no pod)' : ''}`;
          }).join(' or ')
        : 'any source';
      return `ingress rule ${i + 1} allows ${ports} from ${peers}`;
    })
    .join('; ');
}

/** A policy that admits the Service's pods' neighbours on its target ports, to narrow to its real clients. */
function allowFix(topology: Topology, service: ServiceRecord, blocked: BlockedPort[], example: PodRecord | undefined): string {
  const taken = new Set(Object.values(topology.policies).filter((p) => p.namespace === service.namespace).map((p) => p.name));
  const name = [`allow-${service.name}`, `allow-${service.name}-ingress`].find((n) => !taken.has(n)) ?? `allow-${service.name}-clients`;
  const ports = [...new Map(blocked.map((b) => [`${b.target}/${b.port.protocol}`, { protocol: b.port.protocol, port: b.target }] as const)).values()];
  const manifest = policyManifest({
    id: ids.policy(service.namespace, name),
    kind: 'policy',
    name,
    namespace: service.namespace,
    policyTypes: ['Ingress'],
    spec: { podSelector: { matchLabels: service.selector ?? example?.labels ?? {} }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: {} }], ports }] },
  });
  return policiesYaml([manifest], [
    `admit the Service's clients: this admits every pod in ${service.namespace}; narrow from: to the pods that call it, and add a namespaceSelector peer for callers elsewhere`,
    'kubectl apply -f -',
  ]);
}
