/**
 * A Service's selector and its pods: one that matches no pod (with the near misses), one whose
 * pods exist but none is ready. Either way the Service has no endpoint to send a connection to,
 * and kube-proxy rejects it ("connection refused").
 *
 * Only Services the EndpointSlice controller manages: a selector-less Service has hand-made
 * EndpointSlices, and an ExternalName Service is a DNS alias. The cluster DNS Service is left
 * to the cluster DNS checks (cluster-dns.ts), which say what its absence costs.
 */
import type { PodRecord, ServiceRecord, Topology } from '../model/types.ts';
import { kubectlObject, sh } from '../text/shell.ts';
import { isDone, type ServiceCheck, type ServiceFacts } from './facts.ts';
import { changeText, nearMisses, selectorPatch, type NearMiss } from './near-miss.ts';
import type { Problem } from './types.ts';
import { listed, noneOfPods, patchCommand, podNames, selectorText, serviceSubject } from './words.ts';

/** Services whose endpoints the EndpointSlice controller keeps from their selector. */
export function selectorServices(topology: Topology, facts: ServiceFacts): ServiceRecord[] {
  return Object.values(topology.services).filter((s) => s.selector !== null && s.type !== 'ExternalName' && s !== facts.clusterDns);
}

/** Near misses with the same change, as one phrase: `cart-7f9, cart-8a1 have app=carts`. */
function nearMissPhrases(misses: NearMiss[]): string[] {
  const byChange = new Map<string, string[]>();
  for (const miss of misses) {
    const text = changeText(miss.changes);
    byChange.set(text, [...(byChange.get(text) ?? []), miss.pod.name]);
  }
  return [...byChange].map(([text, pods]) => `${listed(pods, 2)} ${pods.length === 1 ? 'has' : 'have'} ${text}`);
}

function selectsNothing(service: ServiceRecord, selector: Record<string, string>, facts: ServiceFacts): Problem {
  const inNamespace = facts.podsIn(service.namespace).filter((p) => !isDone(p));
  const misses = nearMisses(selector, inNamespace);
  const selectorLine = `spec.selector: ${selectorText(selector)}`;
  const why = [selectorLine, `pods in ${service.namespace}: ${inNamespace.length}, none with ${selectorText(selector)}`];
  for (const miss of misses.slice(0, 5)) why.push(`near miss: pod ${miss.pod.name} labels ${selectorText(miss.pod.labels)}`);
  const best = misses[0];
  const phrases = nearMissPhrases(misses);
  const fix = best
    ? `make spec.selector match ${best.pod.name} (or label the pods' template ${selectorText(selector)}): ${patchCommand('service', service.namespace, service.name, 'merge', { spec: { selector: selectorPatch(best.changes) } })}`
    : `deploy the pods it is for, labelled ${selectorText(selector)}, or correct spec.selector; compare: ${sh`kubectl -n ${service.namespace} get pods --show-labels`}`;
  return {
    kind: 'service-selects-nothing',
    severity: 'error',
    subject: serviceSubject(service),
    subjectId: service.id,
    message: `selector ${selectorText(selector)} matches no pod in ${service.namespace}, so connections to it are refused${phrases.length > 0 ? `; near miss: ${listed(phrases, 2)}` : ''}`,
    why,
    fix,
    related: misses.map((m) => m.pod.id),
  };
}

/** Why a pod is not ready, in the kubelet's terms: its phase and the containers not ready. */
export function notReadyLine(pod: PodRecord, facts: ServiceFacts): string {
  const waiting = facts.servingContainers(pod).filter((c) => !c.isReady).map((c) => c.name);
  const where = pod.host ? ` on ${pod.host.slice('node:'.length)}` : ', not scheduled';
  return `pod ${pod.name}${where}: phase ${pod.phase}, Ready False${waiting.length > 0 ? `, containers not ready: ${waiting.join(', ')}` : ''}`;
}

function noneReady(service: ServiceRecord, selector: Record<string, string>, pods: PodRecord[], facts: ServiceFacts): Problem {
  const dependents = facts.dependents(service.id);
  const why = [`spec.selector: ${selectorText(selector)} matches ${pods.length} pod${pods.length === 1 ? '' : 's'}, none ready`, ...pods.slice(0, 5).map((p) => notReadyLine(p, facts))];
  for (const d of dependents.slice(0, 5)) why.push(`routed to by ${d.text}`);
  const first = [...pods].sort((a, b) => (a.name < b.name ? -1 : 1))[0];
  return {
    kind: 'service-none-ready',
    // Not-ready pods are a fact of life (a rollout, a failing probe); it is an error when
    // something routes users' requests to them.
    severity: dependents.length > 0 ? 'error' : 'warning',
    subject: serviceSubject(service),
    subjectId: service.id,
    message: `${noneOfPods(pods, `(${listed(podNames(pods), 2)}) is ready`, 'is not ready')}, so it has no ready endpoint and connections to it are refused`,
    why,
    fix: first ? `find out why the readiness check fails: ${sh`kubectl -n ${service.namespace} describe ${kubectlObject('pod', first.name)}`}` : null,
    related: pods.map((p) => p.id),
  };
}

export const checkSelectors: ServiceCheck = (topology, facts) => {
  if (!facts.canRead('pods')) return [];
  const problems: Problem[] = [];
  for (const service of selectorServices(topology, facts)) {
    const selector = service.selector;
    if (selector === null) continue;
    const pods = facts.selectedPods(service);
    if (pods.length === 0) problems.push(selectsNothing(service, selector, facts));
    else if (!facts.hasReadyBackend(service)) problems.push(noneReady(service, selector, pods, facts));
  }
  return problems;
};
