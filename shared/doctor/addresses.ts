/**
 * Addresses that collide or stray: a pod IP outside its node's pod range, one pod IP held by two
 * pods, and two pods on one node publishing the same host port.
 */
import type { CniInfo } from '../model/cluster.ts';
import type { Host, PodRecord, Topology } from '../model/types.ts';
import { cidrContains, isV6 } from '../net/ip.ts';
import { kubectlObject, sh } from '../text/shell.ts';
import { isDone, type ServiceCheck } from './facts.ts';
import type { Problem } from './types.ts';
import { listed } from './words.ts';

const podSubject = (pod: PodRecord): string => `pod/${pod.namespace}/${pod.name}`;
const deleteCommand = (pod: PodRecord): string => sh`kubectl -n ${pod.namespace} delete ${kubectlObject('pod', pod.name)}`;

/** Whether a node's `cniPodCIDRs` are every address the CNI may give its pods. Not for Calico's
 * IPAM (a node may own more blocks than the one the model locates) nor Cilium's own pools. */
function isRangeWhole(cni: CniInfo): boolean {
  if (cni.name === 'calico') return cni.ipam === 'host-local';
  if (cni.name === 'cilium') return cni.ipam === 'kubernetes';
  return true;
}

/** A pod's own network (not hostNetwork) address that is in use: not a finished pod's. */
const holdsPodIP = (pod: PodRecord): boolean => !pod.isHostNetwork && pod.ips.length > 0 && !isDone(pod);

function outsideRange(topology: Topology, pod: PodRecord, host: Host, ip: string, ranges: string[]): Problem {
  const owner = Object.values(topology.hosts).find((h) => h !== host && h.cniPodCIDRs.some((c) => cidrContains(c, ip)));
  return {
    kind: 'pod-ip-outside-pod-cidr',
    severity: 'error',
    subject: podSubject(pod),
    subjectId: pod.id,
    message: `pod IP ${ip} is outside node ${host.name}'s pod range ${ranges.join(', ')}: other nodes route that address ${owner ? `to ${owner.name}` : 'elsewhere'}, so their traffic does not reach the pod`,
    why: [`status.podIPs: ${pod.ips.join(', ')}`, `spec.nodeName: ${host.name}`, `${host.cniPodCIDRsEvidence}: ${host.cniPodCIDRs.join(', ')}`, ...(owner ? [`${ip} is in node ${owner.name}'s range ${owner.cniPodCIDRs.join(', ')}`] : [])],
    fix: `recreate the pod so the CNI gives it an address from its node's range (if many pods on ${host.name} stray, its IPAM state is stale): ${deleteCommand(pod)}`,
    related: [host.id, ...(owner ? [owner.id] : [])],
  };
}

export const checkPodRanges: ServiceCheck = (topology, facts) => {
  if (!facts.canRead('pods') || !isRangeWhole(topology.cluster.cni.value)) return [];
  const problems: Problem[] = [];
  for (const pod of Object.values(topology.pods)) {
    const host = pod.host ? topology.hosts[pod.host] : undefined;
    if (!host || host.cniPodCIDRs.length === 0 || !holdsPodIP(pod)) continue;
    for (const ip of pod.ips) {
      const ranges = host.cniPodCIDRs.filter((c) => isV6(c) === isV6(ip));
      if (ranges.length > 0 && !ranges.some((c) => cidrContains(c, ip))) problems.push(outsideRange(topology, pod, host, ip, ranges));
    }
  }
  return problems;
};

const byName = (a: PodRecord, b: PodRecord): number => (`${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1);

export const checkDuplicateIPs: ServiceCheck = (topology, facts) => {
  if (!facts.canRead('pods')) return [];
  const holders = new Map<string, PodRecord[]>();
  for (const pod of Object.values(topology.pods)) {
    // A terminating pod may have handed its address back already, to the pod that has it now.
    if (!holdsPodIP(pod) || pod.phase !== 'Running') continue;
    for (const ip of pod.ips) holders.set(ip, [...(holders.get(ip) ?? []), pod]);
  }
  const problems: Problem[] = [];
  for (const [ip, pods] of holders) {
    if (pods.length < 2) continue;
    const [first, ...others] = [...pods].sort(byName);
    if (!first) continue;
    problems.push({
      kind: 'pod-ip-duplicate',
      severity: 'error',
      subject: podSubject(first),
      subjectId: first.id,
      message: `pod IP ${ip} is also held by ${listed(others.map((p) => `${p.namespace}/${p.name}`), 2)}: traffic to it reaches only one of them`,
      why: pods.sort(byName).map((p) => `pod ${p.namespace}/${p.name} on ${p.host?.slice('node:'.length) ?? 'no node'}: status.podIPs ${p.ips.join(', ')}`),
      fix: `recreate one of them so it gets a new address (the CNI's IPAM gave ${ip} out twice; if it recurs, its state on the node is stale): ${deleteCommand(others[0] ?? first)}`,
      related: others.map((p) => p.id),
    });
  }
  return problems;
};

/** The scheduler's rule (NodePorts plugin): the same port and protocol clash unless both bind
 * different specific host addresses; no hostIP, 0.0.0.0 or :: bind them all. */
function isWildcard(hostIP: string | undefined): boolean {
  return hostIP === undefined || hostIP === '' || hostIP === '0.0.0.0' || hostIP === '::';
}

interface HostPortUse {
  pod: PodRecord;
  hostIP: string | undefined;
}

export const checkHostPorts: ServiceCheck = (topology, facts) => {
  if (!facts.canRead('pods')) return [];
  // `node\0protocol/port` → the pods that publish it there.
  const uses = new Map<string, HostPortUse[]>();
  for (const pod of Object.values(topology.pods)) {
    // A terminating pod is on its way out: a DaemonSet's replacement may already be waiting for its port.
    if (!pod.host || isDone(pod) || pod.phase === 'Terminating') continue;
    for (const id of pod.containers) {
      for (const port of topology.containers[id]?.ports ?? []) {
        // On the host network a container port is a host port (the API server sets hostPort to it).
        const hostPort = port.hostPort ?? (pod.isHostNetwork ? port.port : undefined);
        if (hostPort === undefined) continue;
        const key = `${pod.host}\0${port.protocol}/${hostPort}`;
        uses.set(key, [...(uses.get(key) ?? []), { pod, hostIP: port.hostIP }]);
      }
    }
  }
  const problems: Problem[] = [];
  for (const [key, list] of uses) {
    const clashing = list.filter((a) => list.some((b) => b.pod !== a.pod && (isWildcard(a.hostIP) || isWildcard(b.hostIP) || a.hostIP === b.hostIP)));
    const pods = [...new Set(clashing.map((u) => u.pod))].sort(byName);
    if (pods.length < 2) continue;
    const [hostId = '', port = ''] = key.split('\0');
    const host = topology.hosts[hostId];
    const nodeName = host?.name ?? hostId.slice('node:'.length);
    problems.push({
      kind: 'host-port-clash',
      severity: 'error',
      subject: `node/${nodeName}`,
      subjectId: host ? host.id : null,
      message: `${pods.length} pods publish host port ${port} on ${nodeName} (${listed(pods.map((p) => `${p.namespace}/${p.name}`), 3)}): only one can have it`,
      why: clashing.map((u) => `pod ${u.pod.namespace}/${u.pod.name}${u.pod.isHostNetwork ? ' (hostNetwork)' : ''}: hostPort ${port}${isWildcard(u.hostIP) ? '' : ` on ${u.hostIP}`}`),
      fix: 'give one of them another hostPort, or a distinct hostIP; a Service (NodePort) avoids host ports altogether',
      related: pods.map((p) => p.id),
    });
  }
  return problems;
};
