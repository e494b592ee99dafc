/**
 * Topology-aware routing as kube-proxy does it (kubernetes pkg/proxy/topology.go,
 * CategorizeEndpoints): kube-proxy never reads a Service's `trafficDistribution` or its
 * `service.kubernetes.io/topology-mode` annotation — the EndpointSlice controller turns those
 * into hints on each endpoint (`hints.forZones`, and from 1.33 `hints.forNodes`), and kube-proxy
 * reads the hints:
 *
 * - same node: when every ready endpoint has a node hint and at least one is hinted for this
 *   node (feature gate PreferSameTrafficDistribution: alpha 1.33, on by default from 1.34), only
 *   the endpoints hinted for this node;
 * - else same zone: when every ready endpoint has a zone hint and at least one is hinted for
 *   this node's zone (its `topology.kubernetes.io/zone` label), only those;
 * - else every endpoint (an endpoint without a hint, or none for this node or zone, turns the
 *   hints off for the whole Service port).
 *
 * Only traffic under a Cluster traffic policy uses hints; a Local policy's endpoints are this
 * node's anyway. With no ready endpoint the hints are ignored and terminating ones are used.
 */
import type { EndpointRecord, Host, ServiceRecord } from '../model/types.ts';

export type TopologyMode = 'none' | 'PreferSameZone' | 'PreferSameNode';

export interface TopologyChoice {
  mode: TopologyMode;
  /** Why this mode: which hints decided it, or why they are ignored. Null where no endpoint has
   * a hint and the Service asks for none (nothing to say). */
  why: string | null;
}

/** `v1.34.2`, `1.35.0+k3s1` → 34, 35; null when unknown. */
function minorOf(version: string | null): number | null {
  const match = version ? /^v?1\.(\d+)/.exec(version.trim()) : null;
  return match ? Number(match[1]) : null;
}

/** Whether kube-proxy honours node hints: PreferSameTrafficDistribution is on by default from
 * 1.34 (beta; GA and locked on in 1.35), off in 1.33 (alpha). Unknown version: assumed on, since
 * node hints are only written where the controller's gate is on. */
function isNodeHintGateOn(version: string | null): { isOn: boolean; note: string } {
  const minor = minorOf(version);
  if (minor === null) return { isOn: true, note: 'the Kubernetes version is unknown: assumed on, as the hints were written by a controller with it on' };
  if (minor >= 34) return { isOn: true, note: `on by default in Kubernetes 1.${minor}` };
  return { isOn: false, note: `alpha and off by default in Kubernetes 1.${minor}` };
}

/** What asked for the hints, in words, or null when the Service asks for none. */
export function hintSource(service: ServiceRecord): string | null {
  if (service.trafficDistribution) return `trafficDistribution: ${service.trafficDistribution}`;
  if (service.topologyMode && service.topologyMode !== 'Disabled') return `annotation service.kubernetes.io/topology-mode: ${service.topologyMode}`;
  return null;
}

/** kube-proxy's topologyModeFromHints over a Service port's endpoints (one address family), as
 * the kube-proxy on `node` decides it. */
export function topologyModeFromHints(service: ServiceRecord, endpoints: EndpointRecord[], node: Host, version: string | null): TopologyChoice {
  const ready = endpoints.filter((e) => e.isReady);
  const asked = hintSource(service);
  const hinted = ready.filter((e) => e.hints && (e.hints.forZones.length > 0 || e.hints.forNodes.length > 0));
  if (ready.length === 0) return { mode: 'none', why: asked ? `${asked}, but no endpoint is ready: hints are not used` : null };
  if (hinted.length === 0) {
    return { mode: 'none', why: asked ? `${asked}, but no endpoint has a topology hint (the EndpointSlice controller writes none when an endpoint has no zone, or the zones cannot be balanced): every endpoint is used` : null };
  }
  const gate = isNodeHintGateOn(version);
  const allNode = ready.every((e) => (e.hints?.forNodes.length ?? 0) > 0);
  const forNode = ready.filter((e) => e.hints?.forNodes.includes(node.name));
  const notes: string[] = [];
  if (allNode && gate.isOn && forNode.length > 0) {
    return { mode: 'PreferSameNode', why: `${asked ? `${asked}: ` : ''}every ready endpoint has a node hint and ${forNode.length} ${forNode.length === 1 ? 'is' : 'are'} hinted for node ${node.name} (PreferSameTrafficDistribution ${gate.note}): kube-proxy on ${node.name} uses only ${forNode.length === 1 ? 'it' : 'those'}` };
  }
  if (allNode && !gate.isOn) notes.push(`node hints are ignored: PreferSameTrafficDistribution is ${gate.note}`);
  else if (allNode) notes.push(`no endpoint is hinted for node ${node.name}`);
  const allZone = ready.every((e) => (e.hints?.forZones.length ?? 0) > 0);
  const zone = node.zone;
  const forZone = zone === null ? [] : ready.filter((e) => e.hints?.forZones.includes(zone));
  if (allZone && forZone.length > 0) {
    return { mode: 'PreferSameZone', why: `${asked ? `${asked}: ` : ''}${notes.length > 0 ? `${notes.join('; ')}; ` : ''}every ready endpoint has a zone hint and ${forZone.length} ${forZone.length === 1 ? 'is' : 'are'} hinted for zone ${zone}, node ${node.name}'s: kube-proxy there uses only ${forZone.length === 1 ? 'it' : 'those'}` };
  }
  const unhinted = ready.filter((e) => (e.hints?.forZones.length ?? 0) === 0).length;
  if (!allZone) notes.push(`${unhinted} ready endpoint${unhinted === 1 ? '' : 's'} without a zone hint turn${unhinted === 1 ? 's' : ''} the zone hints off`);
  else if (zone === null) notes.push(`node ${node.name} has no topology.kubernetes.io/zone label, so zone hints are ignored`);
  else notes.push(`no endpoint is hinted for zone ${zone}`);
  return { mode: 'none', why: `${asked ? `${asked}: ` : ''}${notes.join('; ')}: kube-proxy on ${node.name} uses every endpoint` };
}

/** Whether kube-proxy on `node` may use `endpoint` in this mode (no fallback here: that happens
 * in choosing the mode). */
export function isAvailableForTopology(endpoint: EndpointRecord, mode: TopologyMode, node: Host): boolean {
  switch (mode) {
    case 'none':
      return true;
    case 'PreferSameNode':
      return endpoint.hints?.forNodes.includes(node.name) ?? false;
    case 'PreferSameZone':
      return node.zone !== null && (endpoint.hints?.forZones.includes(node.zone) ?? false);
  }
}
