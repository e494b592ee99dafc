/**
 * Who may reach a pod and whom it may reach, by NetworkPolicy, in one line per direction (issue 17,
 * "Panels that conclude"): not isolated, or isolated by which policies and what their rules
 * allow together — `Ingress: isolated by shop/db-allow — only from app=backend, app=db on
 * 5432/TCP`. Read from the rules of the policies that select the pod, so it costs no more than
 * listing them; which pods those rules let through is the neighbourhood's work
 * (shared/policy/reachability.ts), done only when asked.
 */
import type { PodRecord, PolicyRecord } from '../model/types.ts';
import { briefPeer } from '../policy/line.ts';
import { rulesOf, type Direction } from '../policy/rules.ts';
import { describePort, listNames, qualifiedName } from '../policy/words.ts';
import type { DescribedPolicyLine } from './types.ts';

/** How many rules a line spells out before "and N more". */
const shownRules = 4;

function policyLine(pod: PodRecord, selecting: readonly PolicyRecord[], direction: Direction): DescribedPolicyLine {
  const title = direction === 'ingress' ? 'Ingress' : 'Egress';
  const isolating = selecting.filter((p) => p.policyTypes.includes(title));
  const isolatedBy = isolating.map((p) => ({ id: p.id, policy: qualifiedName(p) }));
  if (isolating.length === 0) {
    const allows = pod.isHostNetwork
      ? 'not isolated: a hostNetwork pod is outside NetworkPolicy'
      : direction === 'ingress'
        ? 'not isolated: anyone may connect'
        : 'not isolated: may reach anything';
    return { isolated: false, isolatedBy, allows, line: `${title}: ${allows}` };
  }
  const rules = isolating.flatMap((policy) => rulesOf(policy, direction).map((rule) => ({ policy, rule })));
  const texts = [
    ...new Set(
      rules.map(({ policy, rule }) => {
        const peers = (direction === 'ingress' ? rule.from : rule.to) ?? [];
        const ports = rule.ports ?? [];
        // A rule without peers matches every peer; without ports, every port.
        const who = peers.length > 0 ? peers.map((peer) => briefPeer(peer, policy)).join(', ') : 'anywhere';
        return `${direction === 'ingress' ? 'from' : 'to'} ${who} on ${ports.length > 0 ? ports.map(describePort).join(', ') : 'any port'}`;
      }),
    ),
  ];
  const open = rules.find(({ rule }) => ((direction === 'ingress' ? rule.from : rule.to) ?? []).length === 0 && (rule.ports ?? []).length === 0);
  const allows = open
    ? `yet ${qualifiedName(open.policy)} allows ${direction === 'ingress' ? 'anyone to connect' : 'it to reach anything'}, on any port`
    : texts.length === 0
      ? direction === 'ingress'
        ? 'nothing may connect'
        : 'may reach nothing'
      : `only ${texts.slice(0, shownRules).join('; ')}${texts.length > shownRules ? `; and ${texts.length - shownRules} more rules` : ''}`;
  return { isolated: true, isolatedBy, allows, line: `${title}: isolated by ${listNames(isolating)} — ${allows}` };
}

/** Both lines, from the policies that select the pod (in its namespace, by podSelector, sorted by
 * name; none for a hostNetwork pod). */
export function policyLines(pod: PodRecord, selecting: readonly PolicyRecord[]): { ingress: DescribedPolicyLine; egress: DescribedPolicyLine } {
  return { ingress: policyLine(pod, selecting, 'ingress'), egress: policyLine(pod, selecting, 'egress') };
}
