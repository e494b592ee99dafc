/**
 * The text inside each kind of graph node, truncated to the node's width (geometry.ts), so that
 * the layout can size boxes without measuring text.
 */
import type { PodAttachment } from '../../shared/model/cluster.ts';
import type { ContainerRecord, Device, Host, IngressRecord, PodRecord, ServiceRecord, VethRecord } from '../../shared/model/types.ts';
import { servicePortText } from '../../shared/model/text.ts';
import { charsThatFit, gaps, leafSizes, padding, text, truncate } from './geometry.ts';

export function vethLabel(veth: VethRecord): string {
  return veth.hostEnd.name && veth.hostEnd.provenance !== 'unknown' ? veth.hostEnd.name : 'veth?';
}

const hostChars = charsThatFit(300);

export function hostLabel(host: Host): string {
  const lines = [`${host.name}${host.isReady ? '' : ' · NotReady'}`];
  lines.push(host.internalIPs.length > 0 ? `InternalIP ${host.internalIPs.join(', ')}` : 'no InternalIP');
  if (host.externalIPs.length > 0) lines.push(`ExternalIP ${host.externalIPs.join(', ')}`);
  lines.push(host.podCIDRs.length > 0 ? `podCIDR ${host.podCIDRs.join(', ')}` : 'no podCIDR');
  return lines.map((line) => truncate(line, hostChars)).join('\n');
}

const deviceChars = charsThatFit(leafSizes.device.width - 10);

/** How a routed or eBPF CNI reaches its pods from the node's root netns; never a guess. */
export function attachmentLabel(attachment: PodAttachment): string {
  switch (attachment) {
    case 'routed':
      return 'root netns routes\none /32 per pod → its host-end veth';
    case 'ebpf':
      return 'root netns\neBPF programs on each host-end veth';
    case 'ovs':
      return 'root netns\nOVS bridge ports';
    default:
      return 'root netns\nhow pods attach is unknown (CNI not detected)';
  }
}

export function deviceLabel(device: Device, host: Host): string {
  switch (device.type) {
    case 'uplink': {
      const addresses = device.addresses.length > 0 ? device.addresses : host.internalIPs;
      return [`uplink${device.name ? ` ${device.name}` : ''}`, addresses.join(', ') || 'no address'].map((l) => truncate(l, deviceChars)).join('\n');
    }
    case 'bridge':
      // Gateway devices (cilium_host, antrea-gw0, ovn-k8s-mp0) are stored as bridges with their role.
      return [`${device.name ?? 'bridge'} ${device.addresses.join(', ')}`.trim(), device.role ?? 'bridge'].map((l) => truncate(l, deviceChars)).join('\n');
    case 'tunnel': {
      const encapsulation = device.encapsulation ? device.encapsulation.toUpperCase() : 'tunnel';
      const vni = device.vni != null ? ` VNI ${device.vni}` : '';
      const port = device.udpPort != null ? ` · UDP ${device.udpPort}` : '';
      return [`${device.name ?? 'tunnel'} ${encapsulation}${vni}`, `tunnel${port}`].map((l) => truncate(l, deviceChars)).join('\n');
    }
    case 'dummy':
      return [device.name ?? 'dummy', device.role === 'ipvs' ? 'IPVS: holds the Service IPs' : 'dummy'].map((l) => truncate(l, deviceChars)).join('\n');
  }
}

const podChars = charsThatFit(leafSizes.container.width + 2 * padding.pod + gaps.column / 2);

/** `node`: the pod's node, named when the pod is not drawn inside it (by-namespace grouping). */
export function podLabel(pod: PodRecord, node: string | null): string {
  const ips = pod.ips.length > 0 ? pod.ips.join(', ') : 'no IP';
  const phase = pod.phase === 'Running' ? '' : ` · ${pod.phase}`;
  const where = node ? ` · ${node}` : '';
  const second = pod.isHostNetwork ? `host network · ${ips}${where}${phase}` : `${ips}${where}${phase}`;
  return [truncate(pod.name, podChars), truncate(second, podChars)].join('\n');
}

const containerChars = charsThatFit(leafSizes.container.width - 10, text.smallSize);

export function containerLabel(container: ContainerRecord): string {
  const name = container.role === 'app' ? container.name : `${container.role}: ${container.name}`;
  const ports = container.ports.map((p) => `:${p.port}${p.protocol === 'TCP' ? '' : `/${p.protocol}`}`).join(' ');
  return truncate(ports ? `${name}  ${ports}` : name, containerChars);
}

const serviceChars = charsThatFit(leafSizes.service.width - 12);

export function serviceLabel(service: ServiceRecord): string {
  let address: string;
  if (service.type === 'ExternalName') address = `ExternalName ${service.externalName ?? ''}`;
  else if (service.isHeadless) address = 'headless';
  else address = service.clusterIPs.length > 0 ? service.clusterIPs.join(', ') : 'no ClusterIP';
  if (service.type === 'NodePort' || service.type === 'LoadBalancer') address = `${service.type} · ${address}`;
  const ports = service.ports.length > 0 ? service.ports.map(servicePortText).join(', ') : 'no ports';
  return [service.name, address, ports].map((line) => truncate(line, serviceChars)).join('\n');
}

const ingressChars = charsThatFit(leafSizes.ingress.width - 12);

export function ingressLabel(ingress: IngressRecord): string {
  const hosts = [...new Set(ingress.rules.map((r) => r.host ?? '*'))];
  const hostLine = hosts.length === 0 ? 'no rules' : hosts.length === 1 ? hosts[0]! : `${hosts[0]} +${hosts.length - 1}`;
  return [`ingress ${ingress.name}`, hostLine, ingress.className ? `class ${ingress.className}` : 'default class']
    .map((line) => truncate(line, ingressChars))
    .join('\n');
}
