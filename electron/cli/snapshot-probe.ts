/**
 * `podpath snapshot`'s probe options: reading nodes' datapaths (electron/backend/probe) to attach
 * to the snapshot — named netns and this machine's root namespace, and nodes of the live
 * cluster through their kind/minikube container or a debug pod, which is created only after
 * the user's consent (asked on a terminal, or `--yes`). One summary per node goes to stderr.
 */
import { createInterface } from 'node:readline/promises';
import type { NodeReading } from '../../shared/datapath/reading.ts';
import type { KubeNode } from '../../shared/kube/objects.ts';
import { configForContext } from '../backend/kube/context-config.ts';
import { kubeconfigPaths, loadKubeconfig } from '../backend/kube/kubeconfig.ts';
import { ProbeRefused } from '../backend/probe/probe-pod.ts';
import { defaultNodeTimeoutMs } from '../backend/probe/defaults.ts';
import { probeClusterNodes, probeTarget, type NodeProbe } from '../backend/probe/probe-cluster.ts';
import { localTarget, netnsTarget } from '../backend/probe/sources.ts';
import { summarizeProbe } from '../backend/probe/summary.ts';
import { ExitError, note, type KubeOptions } from './common.ts';

export interface ProbeCliOptions {
  /** `NODE=NETNS` pairs, parsed by program.ts. */
  probeNetns?: { node: string; netns: string }[];
  probeLocal?: string;
  probeNode?: string[];
  probeAllNodes?: boolean;
  probeImage?: string;
  /** Seconds, per node. */
  probeTimeout?: number;
  probeNamespace?: string;
  yes?: boolean;
}

export function wantsProbe(options: ProbeCliOptions): boolean {
  return Boolean(options.probeNetns?.length || options.probeLocal || options.probeNode?.length || options.probeAllNodes);
}

/** `--yes` says the consent text and goes on; a terminal is asked; anything else refuses. */
async function confirm(text: string, isConfirmed: boolean): Promise<boolean> {
  note(text);
  if (isConfirmed) return true;
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    throw new ProbeRefused('Creating a debug pod needs your consent: run podpath in a terminal to be asked, or pass --yes. No pod was created.');
  }
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  // Ctrl-C at the question is a no, not a hang.
  const interrupted = new AbortController();
  prompt.once('SIGINT', () => interrupted.abort());
  try {
    return /^y(es)?$/i.test((await prompt.question('Create it? [y/N] ', { signal: interrupted.signal })).trim());
  } catch (error) {
    if (interrupted.signal.aborted) return false;
    throw error;
  } finally {
    prompt.close();
  }
}

/**
 * Probes what the options name; `nodes` are the cluster's Nodes when the snapshot was read from
 * one (null for --from-files, where only this machine's netns can be probed). Resolves with the
 * readings; a node that could not be read at all is named on stderr and sets `hasFailures`.
 */
export async function probeForSnapshot(options: ProbeCliOptions & KubeOptions, nodes: KubeNode[] | null): Promise<{ readings: NodeReading[]; hasFailures: boolean }> {
  const timeoutMs = options.probeTimeout !== undefined ? options.probeTimeout * 1000 : defaultNodeTimeoutMs;
  const probes: NodeProbe[] = [];
  const report = (probe: NodeProbe) => {
    summarizeProbe(probe).forEach((line, i) => note(i === 0 ? `podpath: probe ${line}` : `podpath: ${line}`));
    probes.push(probe);
  };

  for (const { node, netns } of options.probeNetns ?? []) report(await probeTarget(netnsTarget(node, netns), { nodeTimeoutMs: timeoutMs }));
  if (options.probeLocal) report(await probeTarget(localTarget(options.probeLocal), { nodeTimeoutMs: timeoutMs }));

  const names = options.probeAllNodes ? (nodes ?? []).map((n) => n.metadata.name) : (options.probeNode ?? []);
  if (options.probeAllNodes && nodes?.length === 0) {
    note('podpath: --probe-all-nodes: no Nodes could be read (forbidden or none), so no node was probed; name them with --probe-node.');
    return { readings: probes.flatMap((p) => (p.reading ? [p.reading] : [])), hasFailures: true };
  }
  if (names.length > 0) {
    if (!nodes) throw new ExitError('--probe-node and --probe-all-nodes read a live cluster; they cannot be used with --from-files.', 2);
    // With Nodes readable, a name not among them is a typo; without, the debug pod is pinned by name anyway.
    const unknown = nodes.length > 0 ? names.filter((name) => !nodes.some((n) => n.metadata.name === name)) : [];
    if (unknown.length > 0) throw new ExitError(`No Node ${unknown.join(', ')} in the cluster (Nodes: ${nodes.map((n) => n.metadata.name).join(', ')}).`, 2);
    const loaded = loadKubeconfig(kubeconfigPaths({ explicit: options.kubeconfig }));
    const context = options.context ?? loaded.current;
    if (!context) throw new Error(`The kubeconfig (${loaded.files.join(', ')}) has no current context: choose one with --context.`);
    const namespace = options.probeNamespace ?? loaded.contexts.find((c) => c.name === context)?.namespace ?? 'default';
    const cancel = new AbortController();
    // Ctrl-C: stop, delete the debug pods (probeWithDebugPod's finally), then end.
    const onInterrupt = () => {
      note('podpath: cancelling the probe; deleting its debug pods…');
      cancel.abort();
    };
    process.once('SIGINT', onInterrupt);
    try {
      const results = await probeClusterNodes({
        config: configForContext(loaded, context),
        contextName: context,
        nodes,
        names,
        namespace,
        image: options.probeImage,
        timeoutMs,
        confirm: (text) => confirm(text, options.yes === true),
        signal: cancel.signal,
        onProgress: (line) => note(`podpath: probe ${line}`),
      });
      for (const probe of results) report(probe);
    } catch (error) {
      if (error instanceof ProbeRefused) throw new ExitError(error.message, 2);
      throw error;
    } finally {
      process.off('SIGINT', onInterrupt);
    }
    if (cancel.signal.aborted) throw new ExitError('Cancelled: no snapshot written.', 130);
  }
  return { readings: probes.flatMap((p) => (p.reading ? [p.reading] : [])), hasFailures: probes.some((p) => !p.reading) };
}
