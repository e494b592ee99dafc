/**
 * Calling Debian's CNI plugins (containernetworking-plugins, /usr/lib/cni) the way a container
 * runtime does for kubelet: the plugin runs in the node's namespace (the runtime's), with
 * CNI_COMMAND, CNI_CONTAINERID, CNI_NETNS (the pod sandbox's netns path), CNI_IFNAME and
 * CNI_PATH in its environment and the network configuration on stdin; it prints the result.
 * See the CNI spec (containernetworking/cni SPEC.md, "Section 3: Execution Protocol").
 */
import { randomBytes } from 'node:crypto';
import { runIn } from './netns.ts';

export const cniPath = '/usr/lib/cni';
export const cniVersion = '1.0.0';

/** A CNI 1.0.0 success result (the fields the lab reads). */
export interface CniResult {
  cniVersion: string;
  interfaces?: { name: string; mac?: string; sandbox?: string }[];
  ips?: { address: string; gateway?: string; interface?: number }[];
  routes?: { dst: string; gw?: string }[];
}

export interface NetConf {
  cniVersion: string;
  name: string;
  type: string;
  [key: string]: unknown;
}

/**
 * The bridge plugin with host-local IPAM, configured as flannel's CNI plugin (flannel-io/
 * cni-plugin) delegates to it with the kube-flannel manifest's `delegate` ({hairpinMode: true,
 * isDefaultGateway: true}) and the node's subnet.env: bridge `cni0` as the pods' default gateway,
 * the overlay's MTU, no masquerade of its own (flanneld --ip-masq does it), addresses from the
 * node's podCIDR and a route to the whole cluster network. Debian ships no flannel CNI plugin (it
 * left containernetworking/plugins in v1.0), so the lab writes the delegate's netconf itself.
 */
export function bridgeNetConf(o: { podCIDR: string; clusterCIDR: string; mtu: number; ipamDataDir: string }): NetConf {
  return {
    cniVersion,
    name: 'cbr0',
    type: 'bridge',
    bridge: 'cni0',
    mtu: o.mtu,
    ipMasq: false,
    isGateway: true,
    isDefaultGateway: true,
    hairpinMode: true,
    ipam: { type: 'host-local', ranges: [[{ subnet: o.podCIDR }]], routes: [{ dst: o.clusterCIDR }], dataDir: o.ipamDataDir },
  };
}

export const loopbackNetConf: NetConf = { cniVersion, name: 'cni-loopback', type: 'loopback' };

/** A sandbox id shaped like containerd's: 64 hex digits. */
export const newContainerId = () => randomBytes(32).toString('hex');

export interface CniCall {
  /** The node's network namespace, where the plugin runs. */
  nodeNetns: string;
  containerId: string;
  /** The pod's network namespace (a name under /run/netns). */
  podNetns: string;
  ifname: string;
  conf: NetConf;
}

async function call(command: 'ADD' | 'DEL' | 'CHECK', c: CniCall, prevResult?: CniResult): Promise<string> {
  const { stdout } = await runIn(c.nodeNetns, `${cniPath}/${c.conf.type}`, [], {
    env: {
      CNI_COMMAND: command,
      CNI_CONTAINERID: c.containerId,
      CNI_NETNS: `/run/netns/${c.podNetns}`,
      CNI_IFNAME: c.ifname,
      CNI_PATH: cniPath,
    },
    input: JSON.stringify(prevResult ? { ...c.conf, prevResult } : c.conf),
  });
  return stdout;
}

export async function cniAdd(c: CniCall): Promise<CniResult> {
  return JSON.parse(await call('ADD', c)) as CniResult;
}

/** DEL with the ADD's result as prevResult, as runtimes do; succeeds when already gone. */
export async function cniDel(c: CniCall, prevResult?: CniResult): Promise<void> {
  await call('DEL', c, prevResult);
}
