/**
 * The describe document as readable text (`podpath describe` without --json), and the one-line
 * texts the details panel shows for the same records.
 */
import type { Confidence } from '../model/cluster.ts';
import { servicePortText, type EndpointState } from '../model/text.ts';
import type { DescribeDocument, DescribedCni, DescribedDevice, DescribedNode, DescribedPod, DescribedPort, DescribedRoute, DescribedService } from './types.ts';
import { adminPolicyLines } from './admin-policy.ts';

export function containerPortText(port: DescribedPort): string {
  return `${port.port}/${port.protocol}${port.name ? ` (${port.name})` : ''}`;
}

export function cniText(cni: DescribedCni): string {
  return `${cni.name}${cni.datapath !== 'unknown' ? ` · ${cni.datapath}` : ''}${cni.encapsulation ? ` ${cni.encapsulation.toUpperCase()}` : ''}`;
}

export function confidenceText(confidence: Confidence): string {
  return confidence === 'none' ? 'not detected' : `${confidence} confidence`;
}

/** How a Service is reached: its ClusterIPs, or what stands in for them. */
export function serviceAddressText(service: Pick<DescribedService, 'type' | 'externalName' | 'headless' | 'clusterIPs'>): string {
  if (service.type === 'ExternalName') return `ExternalName → ${service.externalName ?? '?'}`;
  if (service.headless) return 'headless (DNS returns the pod IPs)';
  return service.clusterIPs.length > 0 ? service.clusterIPs.join(', ') : 'no ClusterIP';
}

/** What an endpoint's state means for the traffic sent to its Service (kube-proxy's
 * CategorizeEndpoints; CoreDNS answers a headless Service with the ready addresses only), more
 * precisely for a terminating one when whether it still serves is known. */
export function endpointStateMeaning(state: EndpointState, serving?: boolean): string {
  if (state === 'ready') return 'ready: receives traffic';
  if (state === 'not-ready') return 'not ready: kube-proxy sends it no traffic, and DNS leaves it out';
  if (serving === undefined) return 'terminating: kube-proxy uses it only while no endpoint is ready, and only if it still serves';
  return serving ? 'terminating, still serving: kube-proxy uses it only while no endpoint is ready' : 'terminating, no longer serving: kube-proxy sends it no traffic';
}

/** A route as `ip route` prints it, with a summary route's count. */
export function routeText(r: DescribedRoute): string {
  const parts = [r.type === 'blackhole' ? `blackhole ${r.destination ?? '?'}` : (r.destination ?? '(range not known)')];
  if (r.via) parts.push(`via ${r.via}`);
  if (r.type !== 'blackhole') parts.push(`dev ${r.device ?? '?'}`);
  if (r.onlink) parts.push('onlink');
  if (r.scope === 'summary' && r.count !== null) parts.push(`(one per peer: ${r.count} routes)`);
  return parts.join(' ');
}

function deviceText(device: DescribedDevice): string {
  const tunnel = device.encapsulation
    ? ` ${device.encapsulation.toUpperCase()}${device.vni !== null ? ` VNI ${device.vni}` : ''}${device.udpPort !== null ? ` UDP ${device.udpPort}` : ''}`
    : '';
  return `${device.kind.padEnd(7)} ${device.name ?? '(name unknown)'} [${device.provenance}]${tunnel}  ${device.addresses.join(', ') || 'no address'}`;
}

function podLine(pod: DescribedPod): string {
  const where = pod.hostNetwork
    ? 'host network'
    : pod.veth
      ? `veth ${pod.veth.hostName ?? '?'} [${pod.veth.provenance}]`
      : 'no veth';
  return `${pod.namespace}/${pod.name}  ${pod.ips.join(', ') || 'no IP'}  ${pod.phase}${pod.ready ? '' : ', not ready'}  ${where}`;
}

/** Readable text: the cluster facts with their evidence, each node with its devices and pods,
 * each Service with its endpoints, then Ingresses and NetworkPolicies. */
export function formatDescribe(doc: DescribeDocument): string {
  const out: string[] = [];
  const { cluster } = doc;
  out.push(`Cluster ${cluster.context ?? '(no context)'}`);
  if (cluster.server) out.push(`  server      ${cluster.server}`);
  out.push(`  Kubernetes  ${cluster.kubernetesVersion ?? 'unknown'}`);
  if (cluster.capturedAt) out.push(`  captured    ${cluster.capturedAt}`);
  out.push(`  CNI         ${cniText(cluster.cni)} (${confidenceText(cluster.cni.confidence)})`);
  for (const line of cluster.cni.evidence) out.push(`                - ${line}`);
  out.push(`  proxy       ${cluster.proxy.mode} (${confidenceText(cluster.proxy.confidence)})`);
  for (const line of cluster.proxy.evidence) out.push(`                - ${line}`);
  out.push(`  pod CIDRs   ${cluster.podCIDRs.join(', ') || 'unknown'}`);
  for (const k of cluster.unavailableKinds) out.push(`  ! ${k.kind} could not be read: ${k.reason}`);

  const podsByNode = new Map<string, DescribedPod[]>();
  const unplaced: DescribedPod[] = [];
  const nodeNames = new Set(doc.nodes.map((n) => n.name));
  for (const pod of doc.pods) {
    if (pod.node && nodeNames.has(pod.node)) podsByNode.set(pod.node, [...(podsByNode.get(pod.node) ?? []), pod]);
    else unplaced.push(pod);
  }

  out.push('', `Nodes (${doc.nodes.length})`);
  for (const node of doc.nodes) {
    const addresses = node.addresses.map((a) => `${a.type} ${a.address}`).join(', ') || 'no addresses';
    out.push(`  ${node.name}  ${node.ready ? 'Ready' : 'NotReady'}  ${addresses}  podCIDRs ${node.podCIDRs.join(', ') || 'none'}`);
    out.push(`    datapath    ${datapathText(node)}`);
    for (const u of node.datapath?.unread ?? []) out.push(`      ! not read: ${u.command}${u.netns ? ` in netns ${u.netns}` : ''}: ${u.status}: ${u.message}`);
    out.push(`    devices`);
    for (const device of node.devices) out.push(`      ${deviceText(device)}`);
    if (node.routes.length > 0) {
      out.push(`    routes`);
      for (const r of node.routes) out.push(`      ${routeText(r)} [${r.provenance}]${r.to && r.scope === 'local' ? `  → ${r.to}` : ''}`);
    }
    const pods = podsByNode.get(node.name) ?? [];
    out.push(`    pods (${pods.length})`);
    for (const pod of pods) out.push(`      ${podLine(pod)}`);
  }
  if (unplaced.length > 0) {
    out.push('', `Pods not on a known node (${unplaced.length})`);
    for (const pod of unplaced) out.push(`  ${podLine(pod)}${pod.node ? `  (on ${pod.node})` : '  (unscheduled)'}`);
  }

  out.push('', `Services (${doc.services.length})`);
  for (const service of doc.services) {
    out.push(`  ${service.namespace}/${service.name}  ${service.type}  ${serviceAddressText(service)}`);
    out.push(`    ${service.health.line}`);
    const extra = [...service.loadBalancerIngress.map((a) => `LoadBalancer ${a}`), ...service.externalIPs.map((a) => `externalIP ${a}`)];
    if (extra.length > 0) out.push(`    ${extra.join(', ')}`);
    for (const port of service.ports) {
      out.push(`    port ${port.name ? `${port.name} ` : ''}${servicePortText(port)}${port.kubeProxy ? `  ${port.kubeProxy.mode} ${port.kubeProxy.service}` : ''}`);
    }
    if (service.type === 'ExternalName') continue;
    const ready = service.endpoints.filter((e) => e.ready).length;
    out.push(`    endpoints (${service.endpoints.length}, ${ready} ready)${service.endpoints.length === 0 ? ': none' : ''}`);
    for (const e of service.endpoints) {
      out.push(`      ${e.ip}  ${e.state}  ${e.pod ?? 'no pod'}${e.node ? ` on ${e.node}` : ''}`);
    }
  }

  if (doc.ingresses.length > 0) {
    out.push('', `Ingresses (${doc.ingresses.length})`);
    for (const ingress of doc.ingresses) {
      out.push(`  ${ingress.namespace}/${ingress.name}  class ${ingress.className ?? 'default'}  ${ingress.addresses.join(', ') || 'no address yet'}`);
      for (const r of ingress.rules) out.push(`    ${r.host ?? '*'}${r.path ?? '/'} → ${r.service}${r.port !== null ? `:${r.port}` : ''}`);
    }
  }
  if (doc.policies.length > 0) {
    out.push('', `NetworkPolicies (${doc.policies.length})`);
    for (const policy of doc.policies) {
      out.push(`  ${policy.namespace}/${policy.name}  ${policy.policyTypes.join(', ')}  ${policy.ingress.length} ingress, ${policy.egress.length} egress rules`);
    }
  }
  if (doc.adminPolicies) out.push(...adminPolicyLines(doc.adminPolicies));
  const counts = (['error', 'warning', 'info'] as const).map((level) => `${doc.problems.filter((p) => p.severity === level).length} ${level}${level === 'info' ? '' : 's'}`);
  out.push('', `Problems (${doc.problems.length ? counts.join(', ') : 'none'})`);
  for (const problem of doc.problems) out.push(`  ${problem.severity.padEnd(7)} ${problem.subject}: ${problem.message}`);
  return out.join('\n') + '\n';
}

/** Whether a node's datapath was read (observed) or is the CNI's rules (inferred). */
function datapathText(node: DescribedNode): string {
  const read = node.datapath;
  if (!read) return 'inferred from the API and the CNI (no node reading)';
  const proxy = read.kubeProxy.map((k) => `kube-proxy ${k.mode} ${k.family}: ${k.servicePorts} Service ports`).join('; ');
  return `observed: read ${read.readAt} via ${read.source}/${read.target}; ${read.podVeths} of ${read.veths} veths joined to pods${proxy ? `; ${proxy}` : ''}`;
}
