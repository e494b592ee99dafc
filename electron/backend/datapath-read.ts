/**
 * The app's "Read this node's datapath" (issue 13) on a live session: the nodes are read as the
 * CLI's `--probe-node` reads them (probe/probe-cluster.ts: a kind or minikube node through its
 * container on this machine, any other through a debug pod), and the readings join the
 * session's model and its exported snapshots.
 *
 * A debug pod is created only on a request that carries the user's confirmation. An
 * unconfirmed one runs everything up to the question — the plan per node and the access check
 * (SelfSubjectAccessReview) — and answers with the consent to show; a refusal by RBAC answers
 * with what is missing. Nothing is created in either case.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { DatapathConsent, DatapathRead, NodeReadReport } from '../../shared/ipc.ts';
import { ProbeRefused } from './probe/probe-pod.ts';
import { defaultNodeTimeoutMs, defaultProbeImage } from './probe/defaults.ts';
import { probeClusterNodes, type NodeProbe } from './probe/probe-cluster.ts';
import { summarizeProbe } from './probe/summary.ts';
import type { LiveSession } from './session.ts';

export interface DatapathReadOptions {
  /** Where debug pods are created: the context's namespace by default. */
  namespace?: string;
  image?: string;
  /** Each node's whole probe, a debug pod's start included. */
  timeoutMs?: number;
}

export interface DatapathProgress {
  node: string | null;
  line: string;
  done: NodeReadReport | null;
}

export function nodeReport(probe: NodeProbe): NodeReadReport {
  return { node: probe.node, isRead: probe.reading !== null, target: probe.reading?.target ?? null, elapsedMs: probe.elapsedMs, lines: summarizeProbe(probe) };
}

/** `node kind-worker: created pod …` → `kind-worker`. */
const nodeOfLine = (line: string): string | null => /^node (\S+?):? /.exec(line)?.[1] ?? null;

/** One live session's datapath reads: at most one at a time, cancelled with the session. */
export class DatapathReads {
  private running: AbortController | null = null;
  private readonly session: LiveSession;
  private readonly config: KubeConfig;
  private readonly contextName: string;
  private readonly options: Required<DatapathReadOptions>;
  private readonly onProgress: (progress: DatapathProgress) => void;

  constructor(session: LiveSession, config: KubeConfig, contextName: string, options: DatapathReadOptions, onProgress: (progress: DatapathProgress) => void) {
    this.session = session;
    this.config = config;
    this.contextName = contextName;
    this.onProgress = onProgress;
    this.options = {
      namespace: options.namespace ?? config.getContextObject(contextName)?.namespace ?? 'default',
      image: options.image ?? defaultProbeImage,
      timeoutMs: options.timeoutMs ?? defaultNodeTimeoutMs,
    };
  }

  get isRunning(): boolean {
    return this.running !== null;
  }

  async read(nodes: 'all' | string[], isConfirmed: boolean): Promise<DatapathRead> {
    if (this.running) return { status: 'refused', reason: 'A datapath read is already under way: wait for its report, or cancel it.' };
    const known = this.session.objects().nodes;
    const names = nodes === 'all' ? known.map((n) => n.metadata.name) : nodes;
    if (names.length === 0) {
      const nodesKind = this.session.kinds().find((k) => k.kind === 'nodes');
      const why = nodesKind && nodesKind.state !== 'live' ? `Nodes are ${nodesKind.state}${nodesKind.reason ? `: ${nodesKind.reason}` : ''}` : 'the cluster has no Nodes';
      return { status: 'refused', reason: `There is no node to read: ${why}. Name a node to read it anyway.` };
    }
    // With Nodes readable, a name not among them is a stale picture; without, the pod is pinned by name anyway.
    const unknown = known.length > 0 ? names.filter((name) => !known.some((n) => n.metadata.name === name)) : [];
    if (unknown.length > 0) return { status: 'refused', reason: `No Node ${unknown.join(', ')} in the cluster now: nothing was read.` };

    let consent: DatapathConsent | null = null;
    const controller = new AbortController();
    this.running = controller;
    try {
      const probes = await probeClusterNodes({
        config: this.config,
        contextName: this.contextName,
        nodes: known,
        names,
        namespace: this.options.namespace,
        image: this.options.image,
        timeoutMs: this.options.timeoutMs,
        signal: controller.signal,
        confirm: (text, plan) => {
          if (isConfirmed) return Promise.resolve(true);
          consent = {
            text,
            podNodes: plan.nodes,
            namespace: plan.namespace,
            image: plan.image,
            access: `The API server says you may create, get, list and delete pods and exec into them in namespace ${plan.namespace} (SelfSubjectAccessReview).`,
          };
          return Promise.resolve(false);
        },
        onProgress: (line) => this.onProgress({ node: nodeOfLine(line), line, done: null }),
        onNodeDone: (probe) => {
          const done = nodeReport(probe);
          this.onProgress({ node: probe.node, line: done.lines[0] ?? '', done });
        },
      });
      // Readings join the model even when the read was cancelled midway: what was read, was.
      this.session.addReadings(probes.flatMap((p) => (p.reading ? [p.reading] : [])));
      return { status: 'done', nodes: probes.map(nodeReport), cancelled: controller.signal.aborted };
    } catch (error) {
      if (error instanceof ProbeRefused) return consent ? { status: 'needs-consent', consent } : { status: 'refused', reason: error.message };
      throw error;
    } finally {
      if (this.running === controller) this.running = null;
    }
  }

  /** Stops the read under way (its debug pods are deleted by the probe); false when none was. */
  cancel(): boolean {
    if (!this.running) return false;
    this.running.abort();
    return true;
  }
}
