/**
 * What every hop builder shares (design §4): the hop itself, with the model ids it touches and the
 * packet as it stands after it, and the facts a hop is read from — a pod's or node's address in
 * the packet's family, a node's devices.
 */
import type { CniInfo } from '../../model/cluster.ts';
import type { Device, DeviceRole, Host, Id, PodRecord, Provenance, ServiceRecord, Topology } from '../../model/types.ts';
import type { Evidence, Hop, HopKind, HopProvenance, Packet } from '../types.ts';

export interface PathContext {
  topology: Topology;
  cni: CniInfo;
}

export function hop(kind: HopKind, label: string, packet: Packet, hopIds: (Id | null | undefined)[], node: Id | null, evidence: Evidence[], provenance: HopProvenance = 'inferred'): Hop {
  const unique = [...new Set(hopIds.filter((id): id is Id => typeof id === 'string' && id !== ''))];
  return { kind, provenance, ids: unique, label, node, packet: { ...packet }, evidence };
}

/** Observed when every fact named was read off its node (and there is at least one). */
export function provenanceOf(...facts: (Provenance | null | undefined)[]): HopProvenance {
  return facts.length > 0 && facts.every((f) => f === 'observed') ? 'observed' : 'inferred';
}

/** A device hop is observed when the device's name (and so the device) was read off its node. */
export const deviceProvenance = (device: Device | undefined): Provenance | null => device?.nameProvenance ?? null;

export const bare = (address: string): string => address.split('/')[0] ?? address;
export const isV6 = (address: string): boolean => address.includes(':');

export function hostOf(ctx: PathContext, pod: PodRecord): Host | null {
  return pod.host ? (ctx.topology.hosts[pod.host] ?? null) : null;
}

/** The address a pod uses toward `dst`: the one of the same family. */
export function podAddress(pod: PodRecord, dst?: string): string {
  const v6 = dst !== undefined && isV6(dst);
  return pod.ips.find((ip) => isV6(ip) === v6) ?? pod.ips[0] ?? '';
}

export function nodeAddress(host: Host, dst?: string): string {
  const v6 = dst !== undefined && isV6(dst);
  return host.internalIPs.find((ip) => isV6(ip) === v6) ?? host.internalIPs[0] ?? '';
}

export function deviceOf(ctx: PathContext, host: Host, role: DeviceRole | 'uplink'): Device | undefined {
  return host.devices.map((id) => ctx.topology.devices[id]).find((d) => d !== undefined && (d.role ?? d.type) === role);
}

export function deviceById(ctx: PathContext, id: Id | null): Device | undefined {
  return id ? ctx.topology.devices[id] : undefined;
}

/** A device's name where a node probe read it (what an `-o` match in a nat rule is checked against). */
export const readName = (device: Device | undefined): string | null => (device?.nameProvenance === 'observed' ? (device.name ?? null) : null);

export function uplinkName(ctx: PathContext, host: Host): string {
  return deviceOf(ctx, host, 'uplink')?.name ?? '<uplink>';
}

/** ` (eth0)` where the uplink's name is known; nothing where only a node probe could tell. */
export function uplinkSuffix(ctx: PathContext, host: Host): string {
  const name = deviceOf(ctx, host, 'uplink')?.name;
  return name ? ` (${name})` : '';
}

export function serviceLabel(service: ServiceRecord): string {
  return `svc ${service.namespace}/${service.name}`;
}
