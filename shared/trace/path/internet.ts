/**
 * The cluster's edge: a client on the internet, and a packet leaving a node for it after the
 * CNI's masquerade.
 */
import type { CniInfo } from '../../model/cluster.ts';
import type { Host } from '../../model/types.ts';
import { internetId } from '../../model/types.ts';
import { sh } from '../../text/shell.ts';
import type { Evidence, Hop, Packet } from '../types.ts';
import { observeSnat } from '../observed-snat.ts';
import { deviceOf, hop, nodeAddress, readName, uplinkName, uplinkSuffix, type PathContext } from './hop.ts';

/** Whether the CNI masquerades pod traffic to this kind of destination (Flannel --ip-masq,
 * Calico natOutgoing, Cilium's and the cloud CNIs' SNAT of traffic leaving the pod network). */
export function masqueradesTo(cni: CniInfo, destination: 'node' | 'external'): { isMasqueraded: boolean; why: string } {
  switch (cni.name) {
    case 'flannel':
    case 'canal':
      return { isMasqueraded: true, why: 'Flannel (--ip-masq, the manifest\'s default) masquerades pod traffic to anything outside the flannel Network' };
    case 'calico':
      return { isMasqueraded: true, why: 'Calico masquerades pod traffic to anything outside its IP pools (natOutgoing, on by default for the default pool)' };
    case 'cilium':
      return destination === 'external'
        ? { isMasqueraded: true, why: 'Cilium masquerades pod traffic leaving the cluster to the node\'s address (enable-ipv4-masquerade, on by default)' }
        : { isMasqueraded: false, why: 'Cilium does not masquerade pod traffic to other cluster nodes' };
    case 'aws-vpc-cni':
      return destination === 'external'
        ? { isMasqueraded: true, why: 'AWS VPC CNI SNATs pod traffic leaving the VPC to the node\'s primary ENI address (unless AWS_VPC_K8S_CNI_EXTERNALSNAT)' }
        : { isMasqueraded: false, why: 'AWS VPC CNI does not SNAT traffic that stays in the VPC' };
    case 'azure-cni':
      return destination === 'external'
        ? { isMasqueraded: true, why: 'azure-ip-masq-agent masquerades pod traffic leaving the VNet' }
        : { isMasqueraded: false, why: 'azure-ip-masq-agent does not masquerade traffic within the VNet' };
    default:
      return { isMasqueraded: true, why: `${cni.name === 'unknown' ? 'the CNI is unknown; most CNIs' : `${cni.name}`} masquerade${cni.name === 'unknown' ? '' : 's'} pod traffic leaving the pod network to the node's address` };
  }
}

export const internetClient = '198.51.100.1';
/** The same client in an IPv6 trace (dual stack): an address of the documentation prefix. */
export const internetClientV6 = '2001:db8::1';

export function internetHop(packet: Packet, direction: 'in' | 'out', what?: string): Hop {
  const label = direction === 'in' ? `client ${packet.src} on the internet${what ? ` → ${what}` : ''}` : `out to ${packet.dst}${what ? ` (${what})` : ''} on the internet`;
  const evidence: Evidence[] = [];
  if (packet.src === internetClient || packet.dst === internetClient) evidence.push({ text: `${internetClient} (TEST-NET-2) stands for any address on the internet` });
  if (packet.src === internetClientV6 || packet.dst === internetClientV6) evidence.push({ text: `${internetClientV6} (the IPv6 documentation prefix) stands for any address on the internet` });
  return hop('internet', label, packet, [internetId], null, evidence);
}

/** From a node's IP stack out of its uplink: masquerade (when the sender is a pod), the
 * default route, the uplink, the internet. */
export function toInternet(ctx: PathContext, host: Host, packet: Packet, isFromPod: boolean, what?: string): Hop[] {
  const hops: Hop[] = [];
  let current = packet;
  if (isFromPod) {
    const masq = masqueradesTo(ctx.cni, 'external');
    if (masq.isMasqueraded) {
      current = { ...packet, src: nodeAddress(host, packet.dst) };
      const uplink = deviceOf(ctx, host, 'uplink');
      const snat = hop('snat', `node ${host.name}: masquerade ${packet.src} → ${current.src} (the node's address)`, current, [host.id, uplink?.id], host.id, [
        { text: masq.why, object: host.id },
        { text: `on node ${host.name}`, command: ctx.cni.name === 'cilium' ? 'kubectl -n kube-system exec ds/cilium -- cilium-dbg bpf nat list' : 'iptables-save -t nat | grep -i masq' },
      ]);
      // Cilium masquerades in BPF, in no nat rule.
      hops.push(ctx.cni.name === 'cilium' ? snat : observeSnat(snat, host, packet, 'cni', readName(uplink)));
    }
  }
  const uplink = deviceOf(ctx, host, 'uplink');
  hops.push(
    hop('route', `node ${host.name}: default route, dev ${uplinkName(ctx, host)}`, current, [host.id, uplink?.id], host.id, [
      { text: 'no route of the pod network or the node network covers it: the default route (its gateway is not in the Kubernetes API)' },
      { text: `on node ${host.name}`, command: sh`ip route get ${packet.dst}` },
    ]),
    hop('uplink', `node ${host.name}${uplinkSuffix(ctx, host)} → out of the cluster, ${current.src} → ${current.dst}`, current, [uplink?.id, host.id], host.id, [{ text: uplink?.evidence ?? 'the node\'s uplink', object: uplink?.id ?? host.id }]),
    internetHop(current, 'out', what),
  );
  return hops;
}
