/**
 * `podpath snapshot --kubelet-config`: each node's kubelet DNS settings (clusterDNS,
 * clusterDomain) read from its configz through the API server and kept on the node, so the
 * tracer's DNS hops stop assuming them (issue 15). Opt-in: it costs one request per node through
 * kube-apiserver to each kubelet, and needs `get` on `nodes/proxy`.
 */
import { configForContext } from '../backend/kube/context-config.ts';
import { createKubeClient } from '../backend/kube/client.ts';
import { kubeconfigPaths, loadKubeconfig } from '../backend/kube/kubeconfig.ts';
import { readKubeletDns, withKubeletDns } from '../backend/kube/kubelet-dns.ts';
import type { Snapshot } from '../../shared/snapshot/format.ts';
import { note, print, type KubeOptions } from './common.ts';

export async function attachKubeletDns(options: KubeOptions, snapshot: Snapshot): Promise<void> {
  const nodes = snapshot.objects.nodes;
  if (nodes.length === 0) {
    note('podpath: --kubelet-config: no Nodes were read, so no kubelet was asked');
    return;
  }
  const loaded = loadKubeconfig(kubeconfigPaths({ explicit: options.kubeconfig }));
  const context = options.context ?? loaded.current;
  if (!context) throw new Error(`The kubeconfig (${loaded.files.join(', ')}) has no current context: choose one with --context.`);
  const reading = await readKubeletDns(createKubeClient(configForContext(loaded, context)), nodes.map((n) => n.metadata.name), { concurrency: 8 });
  snapshot.objects.nodes = withKubeletDns(nodes, reading);
  await print(`Kubelet DNS settings ${reading.byNode.size} of ${nodes.length} nodes\n`);
  for (const problem of reading.problems.slice(0, 5)) note(`podpath: --kubelet-config: ${problem}`);
  if (reading.problems.length > 5) note(`podpath: --kubelet-config: and ${reading.problems.length - 5} more nodes not read`);
}
