/**
 * Reading chosen nodes of a live cluster: each kind or minikube node through its container on
 * this machine (`docker exec`, nothing created in the cluster), every other node through a
 * debug pod — after one access check and one consent for all of them, and after deleting the
 * debug pods a killed Podpath left. What the CLI's `--probe-node`/`--probe-all-nodes` and the
 * app's "Read this node's datapath" share.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { NodeReading } from '../../../shared/datapath/reading.ts';
import type { KubeNode } from '../../../shared/kube/objects.ts';
import { describeKubeError } from '../kube/errors.ts';
import { defaultProbeImage } from './defaults.ts';
import { checkDebugPodAccess, debugPodConsent, deleteStaleProbePods, probeWithDebugPod, ProbeRefused } from './probe-pod.ts';
import { probeNode, type ProbeOptions, type ProbeTarget } from './probe-node.ts';
import { containerTarget, findNodeContainer, nodeContainerOf } from './sources.ts';

/** One node's probe: its reading, or why there is none; and how long it took. */
export interface NodeProbe {
  node: string;
  reading: NodeReading | null;
  error: string | null;
  elapsedMs: number;
}

/** Probes one target on this machine (a netns, the root namespace, a node container), timed. */
export async function probeTarget(target: ProbeTarget, options: ProbeOptions = {}): Promise<NodeProbe> {
  const started = Date.now();
  try {
    return { node: target.node, reading: await probeNode(target, options), error: null, elapsedMs: Date.now() - started };
  } catch (error) {
    return { node: target.node, reading: null, error: describeKubeError(error).message, elapsedMs: Date.now() - started };
  }
}

export interface ClusterProbeOptions {
  config: KubeConfig;
  contextName: string | null;
  /** The Nodes as read from the API (for kind and minikube detection); may lack some names. */
  nodes: KubeNode[];
  names: string[];
  /** Where debug pods are created. */
  namespace: string;
  image?: string;
  /** Each node's whole probe, a debug pod's start included. */
  timeoutMs: number;
  /** Asked once, with the consent text and what it covers, before the first debug pod (after
   * the access check); false refuses. */
  confirm: (text: string, plan: DebugPodPlan) => Promise<boolean>;
  signal?: AbortSignal;
  onProgress?: (line: string) => void;
  /** Each node's probe as soon as it is done, in the order they finish. */
  onNodeDone?: (probe: NodeProbe) => void;
  /** Nodes read at once; default 4. */
  concurrency?: number;
}

/** What a consent covers: the nodes read through a debug pod, where, with which image. */
export interface DebugPodPlan {
  nodes: string[];
  namespace: string;
  image: string;
}

export async function probeClusterNodes(options: ClusterProbeOptions): Promise<NodeProbe[]> {
  const image = options.image ?? defaultProbeImage;
  const plans = await Promise.all(
    options.names.map(async (name) => {
      const node = options.nodes.find((n) => n.metadata.name === name);
      const found = node ? nodeContainerOf(node, options.contextName) : null;
      const cli = found ? await findNodeContainer(found) : null;
      if (found && cli) {
        options.onProgress?.(`node ${name}: ${cli} container ${found.container} (${found.evidence})`);
        return { name, target: containerTarget(name, cli, found.container) as ProbeTarget | null };
      }
      if (found) options.onProgress?.(`node ${name}: looks like a container (${found.evidence}), but no running one is named ${found.container} here; using a debug pod`);
      return { name, target: null };
    }),
  );
  const viaPod = plans.filter((p) => p.target === null).map((p) => p.name);
  if (viaPod.length > 0) {
    await checkDebugPodAccess(options.config, options.namespace);
    const plan = { nodes: viaPod, namespace: options.namespace, image };
    if (!(await options.confirm(debugPodConsent(viaPod, options.namespace, image, options.timeoutMs), plan))) {
      throw new ProbeRefused('Not confirmed: no debug pod was created.');
    }
    try {
      const stale = await deleteStaleProbePods(options.config, options.namespace, options.timeoutMs);
      if (stale.length > 0) options.onProgress?.(`deleted ${stale.length} debug pod${stale.length === 1 ? '' : 's'} a previous probe left: ${stale.join(', ')}`);
    } catch (error) {
      options.onProgress?.(`could not look for debug pods a previous probe left: ${describeKubeError(error).message}`);
    }
  }

  const probeOne = async ({ name, target }: (typeof plans)[number]): Promise<NodeProbe> => {
    if (target) return probeTarget(target, { nodeTimeoutMs: options.timeoutMs, signal: options.signal });
    const started = Date.now();
    try {
      const reading = await probeWithDebugPod(options.config, {
        node: name,
        namespace: options.namespace,
        image,
        timeoutMs: options.timeoutMs,
        signal: options.signal,
        onProgress: (line) => options.onProgress?.(`node ${name}: ${line}`),
      });
      return { node: name, reading, error: null, elapsedMs: Date.now() - started };
    } catch (error) {
      return { node: name, reading: null, error: describeKubeError(error).message, elapsedMs: Date.now() - started };
    }
  };
  const results: NodeProbe[] = [];
  const queue = [...plans];
  const worker = async () => {
    for (let plan = queue.shift(); plan; plan = queue.shift()) {
      const probe = await probeOne(plan);
      results.push(probe);
      options.onNodeDone?.(probe);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 4, plans.length) }, worker));
  return options.names.map((name) => results.find((r) => r.node === name) as NodeProbe);
}
