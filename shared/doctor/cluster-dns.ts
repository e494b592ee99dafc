/**
 * The cluster DNS Service, found as the tracer finds it (trace/dns.ts clusterDnsService): missing,
 * without a ready endpoint, or without endpoints on 53/UDP and 53/TCP. Pods with dnsPolicy
 * ClusterFirst (the default) resolve every name through it, so each of these breaks name lookups
 * cluster-wide.
 *
 * "Missing" needs proof that kube-system's Services were read: a source may read Services only in
 * the namespaces it is allowed to, and the model does not say which those were. So the check says
 * nothing unless some Service of kube-system is in the model.
 */
import type { ServicePortRecord, ServiceRecord, Topology } from '../model/types.ts';
import { sh } from '../text/shell.ts';
import { endpointPort } from '../trace/proxy.ts';
import type { ServiceCheck, ServiceFacts } from './facts.ts';
import { notReadyLine } from './selectors.ts';
import type { Problem, Severity } from './types.ts';
import { listed, portText, selectorText, serviceSubject } from './words.ts';

const dnsPorts = [
  { protocol: 'UDP', severity: 'error', why: 'resolvers ask over UDP first' },
  { protocol: 'TCP', severity: 'warning', why: 'answers too large for UDP are asked again over TCP' },
] as const;

function missing(topology: Topology, kubeSystem: ServiceRecord[]): Problem {
  const coreDns = Object.values(topology.pods).filter((p) => p.namespace === 'kube-system' && p.labels['k8s-app'] === 'kube-dns');
  return {
    kind: 'cluster-dns-missing',
    severity: 'error',
    subject: 'service/kube-system/kube-dns',
    subjectId: null,
    message: 'no cluster DNS Service (kube-system/kube-dns): pods with dnsPolicy ClusterFirst cannot resolve any name',
    why: [
      'looked for: kube-system/kube-dns, a kube-system Service labelled k8s-app=kube-dns, or one with port 53/UDP',
      `Services in kube-system: ${listed(kubeSystem.map((s) => s.name).sort(), 6)}`,
      `pods in kube-system labelled k8s-app=kube-dns: ${coreDns.length > 0 ? listed(coreDns.map((p) => p.name).sort(), 3) : 'none'}`,
    ],
    fix: "recreate Service kube-system/kube-dns with the ClusterIP the kubelets' clusterDNS setting names (kubeadm: the 10th address of the Service range), e.g. by reapplying your distribution's CoreDNS manifests",
    related: coreDns.map((p) => p.id),
  };
}

function noEndpoints(dns: ServiceRecord, facts: ServiceFacts): Problem {
  const pods = facts.selectedPods(dns);
  const why = [dns.selector ? `spec.selector: ${selectorText(dns.selector)} matches ${pods.length} pod${pods.length === 1 ? '' : 's'}, none ready` : 'no selector: its EndpointSlices are made by hand, and none is ready'];
  why.push(...pods.slice(0, 3).map((p) => notReadyLine(p, facts)));
  return {
    kind: 'cluster-dns-no-endpoints',
    severity: 'error',
    subject: serviceSubject(dns),
    subjectId: dns.id,
    message: `the cluster DNS Service has no ready endpoint${dns.selector && pods.length === 0 ? ` (its selector ${selectorText(dns.selector)} matches no pod)` : ''}: every name lookup from pods with dnsPolicy ClusterFirst fails`,
    why,
    fix: dns.selector ? `see why the DNS pods are not ready: ${sh`kubectl -n kube-system get pods -l ${selectorText(dns.selector)} -o wide`}, then describe them` : null,
    related: pods.map((p) => p.id),
  };
}

function portsMismatch(dns: ServiceRecord, facts: ServiceFacts): Problem | null {
  const why: string[] = [];
  const found: { severity: Severity; text: string }[] = [];
  const ready = facts.endpointsOf(dns.id).filter((e) => e.isReady);
  const canSeeEndpoints = facts.canRead('endpointSlices') && ready.length > 0;
  for (const want of dnsPorts) {
    const port: ServicePortRecord | undefined = dns.ports.find((p) => p.port === 53 && p.protocol === want.protocol);
    if (!port) {
      found.push({ severity: want.severity, text: `has no port 53/${want.protocol} (${want.why})` });
      why.push(`spec.ports has no entry for 53/${want.protocol}`);
    } else if (canSeeEndpoints && !ready.some((e) => endpointPort(e, port) !== null)) {
      found.push({ severity: 'error', text: `has no endpoint on ${portText(port)}` });
      why.push(`${portText(port)}, targetPort ${port.targetPort}: no ready endpoint has an EndpointSlice port named "${port.name ?? ''}" with protocol ${port.protocol}`);
    }
  }
  if (found.length === 0) return null;
  why.push(`Service ports: ${dns.ports.map(portText).join(', ') || 'none'}`);
  if (canSeeEndpoints) why.push(`EndpointSlice ports: ${[...new Set(ready.flatMap((e) => e.ports.map((p) => `${p.name ?? ''} ${p.port}/${p.protocol}`.trim())))].join(', ') || 'none'}`);
  return {
    kind: 'cluster-dns-ports-mismatch',
    severity: found.some((f) => f.severity === 'error') ? 'error' : 'warning',
    subject: serviceSubject(dns),
    subjectId: dns.id,
    message: `the cluster DNS Service ${found.map((f) => f.text).join('; ')}: those lookups fail`,
    why,
    fix: 'give the Service ports 53/UDP and 53/TCP whose targetPorts CoreDNS declares (its manifest names them dns and dns-tcp)',
    related: [],
  };
}

export const checkClusterDns: ServiceCheck = (topology, facts) => {
  if (!facts.canRead('services')) return [];
  const kubeSystem = Object.values(topology.services).filter((s) => s.namespace === 'kube-system');
  if (kubeSystem.length === 0) return [];
  const dns = facts.clusterDns;
  if (!dns) return [missing(topology, kubeSystem)];
  if (facts.canTellReadiness(dns) && !facts.hasReadyBackend(dns)) return [noEndpoints(dns, facts)];
  const mismatch = portsMismatch(dns, facts);
  return mismatch ? [mismatch] : [];
};
