import { parseYaml } from '../../kube/nesting.ts';
import type { ClusterObjects } from '../../kube/objects.ts';
import { envOf, findConfigMap, findDaemonSet } from './evidence.ts';
import type { FlannelNetConf } from './flannel.ts';

/** The cluster-wide pod CIDR(s) where the API states them: the CNI's own configuration first
 * (Flannel's Network, Calico's default pool, kindnet's POD_SUBNET, Weave's range, Cilium's
 * cluster pool, OVN-Kubernetes' net_cidr), then kube-proxy's clusterCIDR. */
export function detectClusterPodCIDRs(objects: ClusterObjects): string[] {
  const flannel = objects.configMaps.find((cm) => cm.metadata.name === 'kube-flannel-cfg' || cm.metadata.name === 'canal-config')?.data?.['net-conf.json'];
  if (flannel) {
    try {
      const conf = JSON.parse(flannel) as FlannelNetConf;
      const networks = [conf.EnableIPv4 === false ? undefined : conf.Network, conf.EnableIPv6 ? conf.IPv6Network : undefined].filter(
        (n): n is string => typeof n === 'string' && n !== '',
      );
      if (networks.length > 0) return networks;
    } catch {
      // Reported by detectFlannel; fall through to the next source.
    }
  }
  for (const ds of objects.daemonSets) {
    const values = ['CALICO_IPV4POOL_CIDR', 'CALICO_IPV6POOL_CIDR', 'POD_SUBNET', 'IPALLOC_RANGE'].flatMap((name) => envOf(ds, name)?.split(',') ?? []);
    if (values.length > 0) return values.map((v) => v.trim());
  }
  const cilium = findConfigMap(objects, 'cilium-config', ['kube-system', 'cilium'])?.data;
  if (cilium?.['cluster-pool-ipv4-cidr'] && (cilium.ipam ?? 'cluster-pool') === 'cluster-pool') {
    return [...cilium['cluster-pool-ipv4-cidr'].split(/[\s,]+/), ...(cilium['cluster-pool-ipv6-cidr']?.split(/[\s,]+/) ?? [])].filter((c) => c !== '');
  }
  const ovn = findConfigMap(objects, 'ovn-config', ['ovn-kubernetes'])?.data?.net_cidr;
  if (ovn) {
    // `10.128.0.0/14/23`: the cluster network and the size of each node's subnet.
    const networks = ovn.split(',').flatMap((entry) => /^\s*([^/\s]+\/\d+)/.exec(entry)?.[1] ?? []);
    if (networks.length > 0) return networks;
  }
  if (findDaemonSet(objects, (d) => d.metadata.name === 'weave-net')) return ['10.32.0.0/12'];
  const config = findConfigMap(objects, 'kube-proxy', ['kube-system'])?.data?.['config.conf'];
  if (config) {
    try {
      const cidr = (parseYaml(config) as { clusterCIDR?: unknown } | null)?.clusterCIDR;
      if (typeof cidr === 'string' && cidr) return cidr.split(',').map((c) => c.trim());
    } catch {
      // Reported by detectProxyMode.
    }
  }
  return [];
}
