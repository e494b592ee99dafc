/**
 * A Service's ports against what is behind them.
 *
 * With a selector, the EndpointSlice controller resolves each port's targetPort per pod
 * (podutil.FindPort): a number is taken as it is — kube-proxy forwards to it whether or not a
 * container declares it, declaring is optional — but a name must be a container port of that
 * name and the port's protocol, in an app container or a native sidecar; a pod without one is
 * left out of that port's endpoints.
 *
 * Without a selector, the EndpointSlices are hand-made (or mirrored from a hand-made Endpoints
 * object), and kube-proxy pairs a slice's ports with the Service's by name and protocol
 * (pkg/proxy/endpointslicecache.go): a slice port named otherwise gives that Service port no
 * endpoint at all.
 */
import type { ContainerRecord, PodRecord, PortRecord, ServicePortRecord, ServiceRecord } from '../model/types.ts';
import { endpointPort } from '../trace/proxy.ts';
import { isDone, type ServiceCheck, type ServiceFacts } from './facts.ts';
import { selectorServices } from './selectors.ts';
import type { Problem } from './types.ts';
import { listed, noneOfPods, podNames, portText, serviceSubject, servicePortPatch } from './words.ts';

/** `http 8080/TCP`: a container or slice port. */
const declared = (p: PortRecord): string => `${p.name ? `${p.name} ` : ''}${p.port}/${p.protocol}`;

function declaredPorts(pod: PodRecord, facts: ServiceFacts): PortRecord[] {
  return facts.servingContainers(pod).flatMap((c: ContainerRecord) => c.ports);
}

/** The one port of this protocol the pods declare, if they all declare the same single one: the
 * likely target. */
function onlyPort(pods: PodRecord[], protocol: string, facts: ServiceFacts): PortRecord | null {
  const keys = new Set<string>();
  let port: PortRecord | null = null;
  for (const pod of pods) {
    for (const p of declaredPorts(pod, facts)) {
      if (p.protocol !== protocol) continue;
      keys.add(`${p.name ?? ''}/${p.port}`);
      port = p;
    }
  }
  return keys.size === 1 ? port : null;
}

function namedTargetMissing(service: ServiceRecord, index: number, port: ServicePortRecord, name: string, pods: PodRecord[], facts: ServiceFacts): Problem | null {
  const missing = pods.filter((pod) => !declaredPorts(pod, facts).some((p) => p.name === name && p.protocol === port.protocol));
  if (missing.length === 0) return null;
  const isAll = missing.length === pods.length;
  const names = podNames(missing);
  const why = [`spec.ports[${index}]: ${portText(port)}, targetPort "${name}"`];
  for (const pod of [...missing].sort((a, b) => (a.name < b.name ? -1 : 1)).slice(0, 3)) {
    const ports = declaredPorts(pod, facts);
    const otherProtocol = ports.find((p) => p.name === name);
    why.push(`pod ${pod.name} declares ${ports.length > 0 ? ports.map(declared).join(', ') : 'no container port'}${otherProtocol ? ` ("${name}" is ${otherProtocol.protocol}, the Service port ${port.protocol})` : ''}`);
  }
  // Repointing the Service is a fix only when no pod has the name: else it would lose those that do.
  const target = isAll ? onlyPort(missing, port.protocol, facts) : null;
  const owners = [...new Set(missing.map((p) => (p.owner ? `${p.owner.kind} ${p.owner.name}` : `pod ${p.name}`)))];
  const fix = target
    ? `point the port at what the pods declare: ${servicePortPatch(service, index, 'targetPort', target.name ?? target.port)}`
    : `declare a container port named "${name}" (${port.protocol}) in the template of ${listed(owners, 2)}${isAll ? `, or set spec.ports[${index}].targetPort to the port the app listens on` : ''}`;
  return {
    kind: 'service-target-port-missing',
    severity: isAll ? 'error' : 'warning',
    subject: serviceSubject(service),
    subjectId: service.id,
    message: isAll
      ? `port ${portText(port)} targets the container port named "${name}", which ${noneOfPods(pods, 'declares', 'does not declare')}: no endpoint on this port, so connections to it are refused`
      : `port ${portText(port)} targets the container port named "${name}", which ${missing.length} of its ${pods.length} pods do not declare (${listed(names, 2)}): they are left out of this port's endpoints`,
    why,
    fix,
    related: missing.map((p) => p.id),
  };
}

function numericTargetUndeclared(service: ServiceRecord, index: number, port: ServicePortRecord, target: number, pods: PodRecord[], facts: ServiceFacts): Problem | null {
  // Only pods that declare ports of this protocol say anything: declaring none is allowed.
  const undeclared = pods.filter((pod) => {
    const ports = declaredPorts(pod, facts).filter((p) => p.protocol === port.protocol);
    return ports.length > 0 && !ports.some((p) => p.port === target);
  });
  if (undeclared.length === 0) return null;
  const names = podNames(undeclared);
  const first = undeclared.find((p) => p.name === names[0]) ?? undeclared[0];
  const likely = undeclared.length === pods.length ? onlyPort(undeclared, port.protocol, facts) : null;
  return {
    kind: 'service-target-port-missing',
    severity: 'warning',
    subject: serviceSubject(service),
    subjectId: service.id,
    message: `port ${portText(port)} targets ${target}/${port.protocol}, which ${undeclared.length === pods.length ? noneOfPods(pods, 'declares', 'does not declare') : `${undeclared.length} of its ${pods.length} pods do not declare (${listed(names, 2)})`}${likely ? ` (they declare ${declared(likely)})` : ''}: it works only if the app listens on ${target} anyway`,
    why: [
      `spec.ports[${index}]: ${portText(port)}, targetPort ${target}`,
      ...(first ? [`pod ${first.name} declares ${declaredPorts(first, facts).map(declared).join(', ')}`] : []),
      'kube-proxy forwards to the number whether or not a container declares it',
    ],
    fix: likely ? `if the app listens on ${likely.port}: ${servicePortPatch(service, index, 'targetPort', likely.name ?? likely.port)}` : null,
    related: undeclared.map((p) => p.id),
  };
}

export const checkTargetPorts: ServiceCheck = (topology, facts) => {
  if (!facts.canRead('pods')) return [];
  const problems: Problem[] = [];
  for (const service of selectorServices(topology, facts)) {
    const pods = facts.selectedPods(service).filter((p) => !isDone(p));
    if (pods.length === 0) continue;
    service.ports.forEach((port, index) => {
      const problem =
        typeof port.targetPort === 'string'
          ? namedTargetMissing(service, index, port, port.targetPort, pods, facts)
          : numericTargetUndeclared(service, index, port, port.targetPort, pods, facts);
      if (problem) problems.push(problem);
    });
  }
  return problems;
};

function endpointsMismatch(service: ServiceRecord, facts: ServiceFacts): Problem | null {
  const endpoints = facts.endpointsOf(service.id);
  if (endpoints.length === 0) return null;
  const unmatched = service.ports.map((port, index) => ({ port, index })).filter(({ port }) => !endpoints.some((e) => endpointPort(e, port) !== null));
  if (unmatched.length === 0) return null;
  const slicePorts = new Map<string, PortRecord[]>();
  for (const e of endpoints) if (!slicePorts.has(e.slice)) slicePorts.set(e.slice, e.ports);
  const sliceLines = [...slicePorts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([slice, ports]) => `EndpointSlice ${slice} ports: ${ports.length > 0 ? ports.map(declared).join(', ') : 'none'}`);
  const [first] = unmatched;
  // A misnamed port: the one slice port of the same protocol that no Service port pairs with.
  const unpaired = [...slicePorts.values()].flat().filter((p) => !service.ports.some((sp) => (sp.name ?? '') === (p.name ?? '') && sp.protocol === p.protocol));
  const sameProtocol = first ? unpaired.filter((p) => p.protocol === first.port.protocol) : [];
  const misnamed = sameProtocol.length === 1 ? sameProtocol[0] : undefined;
  const fix = !first
    ? null
    : misnamed?.name
      ? `name the EndpointSlice port "${first.port.name ?? ''}" (or the Endpoints object's, if the slice mirrors one), or rename the Service port to match: ${servicePortPatch(service, first.index, 'name', misnamed.name)}`
      : `give the EndpointSlice (or the Endpoints object it mirrors) a port named "${first.port.name ?? ''}" with protocol ${first.port.protocol}`;
  return {
    kind: 'service-endpoints-mismatch',
    severity: 'error',
    subject: serviceSubject(service),
    subjectId: service.id,
    message: `port${unmatched.length === 1 ? '' : 's'} ${unmatched.map(({ port }) => portText(port)).join(', ')} ${unmatched.length === 1 ? 'has' : 'have'} no endpoint: kube-proxy pairs the hand-made EndpointSlice ports with the Service's by name and protocol, and none matches`,
    why: [...unmatched.map(({ port, index }) => `spec.ports[${index}]: ${portText(port)}`), ...sliceLines.slice(0, 5), 'the Service has no selector: its EndpointSlices are made by hand'],
    fix,
    related: [...new Set(endpoints.map((e) => e.id))],
  };
}

export const checkHandMadeEndpoints: ServiceCheck = (topology, facts) => {
  if (!facts.canRead('endpointSlices')) return [];
  return Object.values(topology.services)
    .filter((s) => s.selector === null && s.type !== 'ExternalName')
    .flatMap((s) => endpointsMismatch(s, facts) ?? []);
};
