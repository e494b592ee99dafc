/**
 * The DaemonSet objects for the workloads that run on every node (kube-proxy, Flannel,
 * node-exporter), with the command lines that show how each is configured.
 */
import type { DaemonSet } from '../../shared/kube/objects.ts';
import { kubernetesVersion } from './facts.ts';
import { meta } from './identity.ts';
import type { Workload } from './pods.ts';
import { flannelDaemonSet, kubeProxyDaemonSet, monitoringWorkloads, registry } from './workloads.ts';

function makeDaemonSet(w: Workload, containers: DaemonSet['spec']['template']['spec']['containers']): DaemonSet {
  return {
    metadata: meta('DaemonSet', w.namespace, w.name, w.created, { labels: w.labels }),
    spec: { template: { spec: { ...(w.hostNetwork ? { hostNetwork: true } : {}), containers } } },
    status: { desiredNumberScheduled: w.nodes.length, numberReady: w.nodes.length },
  };
}

export function daemonSets(): DaemonSet[] {
  const [nodeExporter] = monitoringWorkloads;
  if (!nodeExporter) throw new Error('node-exporter missing');
  return [
    makeDaemonSet(kubeProxyDaemonSet, [
      {
        name: 'kube-proxy',
        image: `${registry}/kube-proxy:${kubernetesVersion}`,
        command: ['/usr/local/bin/kube-proxy', '--config=/var/lib/kube-proxy/config.conf', '--hostname-override=$(NODE_NAME)'],
      },
    ]),
    makeDaemonSet(flannelDaemonSet, [
      { name: 'kube-flannel', image: 'docker.io/flannel/flannel:v0.26.7', command: ['/opt/bin/flanneld'], args: ['--ip-masq', '--kube-subnet-mgr'] },
    ]),
    makeDaemonSet(nodeExporter, [
      {
        name: 'node-exporter',
        image: 'quay.io/prometheus/node-exporter:v1.9.1',
        args: ['--path.procfs=/host/proc', '--path.sysfs=/host/sys', '--path.rootfs=/host/root', '--web.listen-address=[$(HOST_IP)]:9100'],
      },
    ]),
  ];
}
