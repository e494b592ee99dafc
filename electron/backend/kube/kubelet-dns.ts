/**
 * The kubelet's DNS settings, read from each node's configz through the API server
 * (`GET /api/v1/nodes/NAME/proxy/configz`, which needs `get` on `nodes/proxy`): only
 * clusterDNS and clusterDomain are kept (shared/kube/trim/core.ts `trimKubeletDns`), on the node
 * object as `kubeletConfig`, so a snapshot carries them and the tracer stops assuming them.
 *
 * Where the reader may not (403), the first refusal stops the reading: every node would answer
 * the same, and the tracer keeps its assumption, said so. It costs one request per node and a
 * sensitive permission, so it runs only when asked: `podpath snapshot --kubelet-config`, and the
 * app's "Read from the kubelets" in a live session (LiveSession.readKubeletDns).
 */
import { trimKubeletDns } from '../../../shared/kube/trim/core.ts';
import type { KubeNode } from '../../../shared/kube/objects.ts';
import { KubeHttpError, type KubeClient } from './client.ts';

export interface KubeletDnsReading {
  /** Node name → its kubelet's DNS settings, for the nodes that answered. */
  byNode: Map<string, NonNullable<KubeNode['kubeletConfig']>>;
  /** Why some or all nodes were not read (no permission, a kubelet that did not answer). */
  problems: string[];
}

/** Reads the configz of `nodes`, `concurrency` at a time; stops at the first 403. */
export async function readKubeletDns(client: KubeClient, nodes: readonly string[], options: { signal?: AbortSignal; timeoutMs?: number; concurrency?: number } = {}): Promise<KubeletDnsReading> {
  const byNode: KubeletDnsReading['byNode'] = new Map();
  const problems: string[] = [];
  let isForbidden = false;
  const queue = [...nodes];
  const worker = async () => {
    for (let node = queue.shift(); node !== undefined && !isForbidden; node = queue.shift()) {
      try {
        const answer = await client.getJSON<unknown>(`/api/v1/nodes/${encodeURIComponent(node)}/proxy/configz`, { ...(options.signal ? { signal: options.signal } : {}), timeoutMs: options.timeoutMs ?? 5000 });
        const dns = trimKubeletDns(answer);
        if (dns) byNode.set(node, dns);
        else problems.push(`node ${node}: its configz has no clusterDNS or clusterDomain`);
      } catch (error) {
        if (error instanceof KubeHttpError && error.statusCode === 403) {
          if (!isForbidden) problems.push('the kubelets\' configz was not read: reading it needs get on nodes/proxy');
          isForbidden = true;
        } else problems.push(`node ${node}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 4, nodes.length)) }, worker));
  return { byNode, problems };
}

/** The nodes with their kubelet's DNS settings added where they were read. */
export function withKubeletDns(nodes: readonly KubeNode[], reading: Pick<KubeletDnsReading, 'byNode'>): KubeNode[] {
  return nodes.map((node) => {
    const dns = reading.byNode.get(node.metadata.name);
    return dns ? { ...node, kubeletConfig: dns } : node;
  });
}
