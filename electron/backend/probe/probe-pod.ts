/**
 * The probe pod (the `debug-pod` source): a pod pinned to the node, in its root network namespace (hostNetwork),
 * seeing its processes (hostPID) and its pod netns (/var/run/netns), privileged so that
 * iptables, nft and ipvsadm may read the kernel's tables; the commands go through the API's
 * exec. It is created only after a SelfSubjectAccessReview says the user may do everything the
 * probe does (access below) and the caller has the user's consent; it is deleted afterwards
 * whatever happened. If Podpath dies first, the pod ends itself (`sleep` and
 * activeDeadlineSeconds), and the next probe deletes it (deleteStaleProbePods, by label).
 * The default image is defaults.ts's.
 */
import { Writable } from 'node:stream';
import { AuthorizationV1Api, CoreV1Api, Exec, type KubeConfig, type V1Pod, type V1Status } from '@kubernetes/client-node';
import type { NodeReading } from '../../../shared/datapath/reading.ts';
import { describeKubeError } from '../kube/errors.ts';
import { formatSeconds } from './classify.ts';
import { defaultProbeImage } from './defaults.ts';
import { probeNode, type ProbeOptions } from './probe-node.ts';
import { outputLimitBytes, type Runner, type RunOutcome } from './runner.ts';

export const probeLabel = 'podpath.dev/probe';
/** The creating process's start time, in seconds since the epoch: which Podpath made it. */
export const probeStartedLabel = 'podpath.dev/probe-started';
const containerName = 'probe';
const processStartedAt = Math.floor(Date.now() / 1000 - process.uptime());

/** A refusal before anything was created: the user may not, or did not agree. */
export class ProbeRefused extends Error {
  override readonly name = 'ProbeRefused';
}

/** What the debug pod needs the user to be allowed, in `kubectl auth can-i` words. */
const needed = [
  { verb: 'create', resource: 'pods' },
  { verb: 'get', resource: 'pods' },
  { verb: 'list', resource: 'pods' },
  { verb: 'delete', resource: 'pods' },
  // The exec is a WebSocket upgrade: a GET, authorized as `get pods/exec`; since Kubernetes
  // 1.35 (AuthorizePodWebsocketUpgradeCreatePermission) also as `create`, like kubectl's POST.
  { verb: 'create', resource: 'pods', subresource: 'exec' },
  { verb: 'get', resource: 'pods', subresource: 'exec' },
] as const;

const dnsLabel = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * The permissions the user lacks in `namespace` to run a debug pod there, as `create pods/exec`
 * phrases, each asked of the API server (SelfSubjectAccessReview); empty when nothing is missing.
 */
export async function missingPermissions(config: KubeConfig, namespace: string): Promise<string[]> {
  const authz = config.makeApiClient(AuthorizationV1Api);
  const answers = await Promise.all(
    needed.map(async (need) => {
      const review = await authz.createSelfSubjectAccessReview({
        body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace, ...need } } },
      });
      return review.status?.allowed === true ? null : `${need.verb} ${need.resource}${'subresource' in need ? `/${need.subresource}` : ''}`;
    }),
  );
  return answers.filter((a): a is string => a !== null);
}

/** Fails with ProbeRefused, naming what is missing, unless the user may run a debug pod in `namespace`. */
export async function checkDebugPodAccess(config: KubeConfig, namespace: string): Promise<void> {
  if (!dnsLabel.test(namespace)) throw new ProbeRefused(`${JSON.stringify(namespace)} is not a namespace name.`);
  let missing: string[];
  try {
    missing = await missingPermissions(config, namespace);
  } catch (error) {
    throw new ProbeRefused(`Could not ask the API server what you may do in namespace ${namespace}: ${describeKubeError(error).message}`);
  }
  if (missing.length > 0) {
    throw new ProbeRefused(
      `Not allowed to run a node-debug pod in namespace ${namespace}: you may not ${missing.join(', ')} there (SelfSubjectAccessReview). No pod was created.`,
    );
  }
}

/** What the user agrees to, in words: shown before asking, and by `--yes` on stderr. */
export function debugPodConsent(nodes: string[], namespace: string, image: string, timeoutMs: number): string {
  return [
    `To read the datapath of ${nodes.length === 1 ? `node ${nodes[0]}` : `${nodes.length} nodes (${nodes.join(', ')})`}, Podpath will create ${nodes.length === 1 ? 'a pod' : 'one pod per node'} in namespace ${namespace}:`,
    `  image ${image}, privileged, in the node's network and process namespaces (hostNetwork, hostPID), tolerating every taint,`,
    `  with the node's /var/run/netns mounted read-only; it runs read-only commands (ip, bridge, iptables-save, nft, ipvsadm) through exec`,
    `  and is deleted afterwards (it ends itself after ${formatSeconds(timeoutMs)} if Podpath cannot delete it).`,
  ].join('\n');
}

export interface DebugPodSpecOptions {
  node: string;
  namespace: string;
  image: string;
  /** The pod's whole life: it ends itself after this. */
  timeoutMs: number;
}

/** The debug pod as created. */
export function debugPodSpec(options: DebugPodSpecOptions): V1Pod {
  const seconds = Math.max(1, Math.ceil(options.timeoutMs / 1000));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: 'podpath-probe-',
      namespace: options.namespace,
      labels: { [probeLabel]: 'true', [probeStartedLabel]: String(processStartedAt) },
      annotations: { 'podpath.dev/probe-node': options.node },
    },
    spec: {
      nodeName: options.node,
      hostNetwork: true,
      hostPID: true,
      restartPolicy: 'Never',
      // Ends on its own if Podpath is killed: the kubelet stops it after this, and sleep exits.
      activeDeadlineSeconds: seconds,
      terminationGracePeriodSeconds: 0,
      // Nothing of the cluster's secrets or Services' addresses in it.
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      tolerations: [{ operator: 'Exists' }],
      containers: [
        {
          name: containerName,
          image: options.image,
          command: ['sleep', String(seconds)],
          securityContext: { privileged: true },
          resources: { requests: { cpu: '10m', memory: '32Mi' } },
          // HostToContainer: a pod netns made after the probe pod started is seen too.
          volumeMounts: [{ name: 'netns', mountPath: '/var/run/netns', mountPropagation: 'HostToContainer', readOnly: true }],
        },
      ],
      // DirectoryOrCreate, as CNI DaemonSets mount it: a node that has never run a pod has none yet.
      volumes: [{ name: 'netns', hostPath: { path: '/var/run/netns', type: 'DirectoryOrCreate' } }],
    },
  };
}

/** Deletes debug pods in `namespace` created more than `olderThanMs` ago (a killed Podpath's); resolves with their names. */
export async function deleteStaleProbePods(config: KubeConfig, namespace: string, olderThanMs: number): Promise<string[]> {
  const core = config.makeApiClient(CoreV1Api);
  const list = await core.listNamespacedPod({ namespace, labelSelector: `${probeLabel}=true` });
  const stale = list.items.filter((pod) => {
    const created = pod.metadata?.creationTimestamp;
    return created !== undefined && Date.now() - new Date(created).getTime() > olderThanMs;
  });
  const names = stale.map((pod) => pod.metadata?.name).filter((n): n is string => n !== undefined);
  await Promise.all(names.map((name) => deletePod(core, namespace, name)));
  return names;
}

async function deletePod(core: CoreV1Api, namespace: string, name: string): Promise<void> {
  try {
    // Grace 0: the commands are read-only, nothing to finish.
    await core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 });
  } catch (error) {
    if ((error as { code?: number }).code !== 404) throw error;
  }
}

export interface DebugPodProbeOptions extends Omit<ProbeOptions, 'nodeTimeoutMs'> {
  node: string;
  namespace: string;
  image?: string;
  /** Creating the pod, waiting for it to run, and every command. */
  timeoutMs: number;
  /** Called with each step: `created pod …`, `running`, `deleted`. */
  onProgress?: (line: string) => void;
}

/**
 * Reads `node` through a debug pod: create, wait until it runs, probe, delete — the delete in
 * every case (success, error, cancel, timeout). The caller has checked access
 * (checkDebugPodAccess) and has the user's consent.
 */
export async function probeWithDebugPod(config: KubeConfig, options: DebugPodProbeOptions): Promise<NodeReading> {
  if (options.signal?.aborted) throw new Error('Cancelled before the debug pod was created.');
  const core = config.makeApiClient(CoreV1Api);
  const deadline = Date.now() + options.timeoutMs;
  const body = debugPodSpec({ node: options.node, namespace: options.namespace, image: options.image ?? defaultProbeImage, timeoutMs: options.timeoutMs });
  const created = await core.createNamespacedPod({ namespace: options.namespace, body });
  const name = created.metadata?.name as string;
  options.onProgress?.(`created pod ${options.namespace}/${name} on node ${options.node}`);
  try {
    await waitUntilRunning(core, options.namespace, name, deadline, options.signal);
    options.onProgress?.(`pod ${options.namespace}/${name} is running`);
    return await probeNode(
      { node: options.node, source: 'debug-pod', target: `pod ${options.namespace}/${name}`, run: execRunner(config, options.namespace, name) },
      { ...options, nodeTimeoutMs: Math.max(0, deadline - Date.now()) },
    );
  } finally {
    await deletePod(core, options.namespace, name);
    options.onProgress?.(`deleted pod ${options.namespace}/${name}`);
  }
}

/** Container states that will not become running by waiting. */
const stuck = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

async function waitUntilRunning(core: CoreV1Api, namespace: string, name: string, deadline: number, signal: AbortSignal | undefined): Promise<void> {
  for (;;) {
    if (signal?.aborted) throw new Error(`Cancelled while waiting for pod ${namespace}/${name} to start.`);
    const pod = await core.readNamespacedPod({ name, namespace });
    const phase = pod.status?.phase ?? 'Pending';
    const state = pod.status?.containerStatuses?.find((c) => c.name === containerName)?.state;
    if (phase === 'Running' && state?.running) return;
    if (phase === 'Failed' || phase === 'Succeeded') throw new Error(`Pod ${namespace}/${name} ended (${phase}${pod.status?.reason ? `: ${pod.status.reason}` : ''}) before the probe ran.`);
    const waiting = state?.waiting;
    if (waiting?.reason && stuck.has(waiting.reason)) throw new Error(`Pod ${namespace}/${name} cannot start: ${waiting.reason}${waiting.message ? ` (${waiting.message})` : ''}.`);
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`Pod ${namespace}/${name} did not start in time (still ${phase}${waiting?.reason ? `, ${waiting.reason}` : ''}).`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.min(500, left));
      signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
  }
}

/** A Writable that keeps what is written, up to the probe's output limit. */
class Collector extends Writable {
  readonly chunks: Buffer[] = [];
  size = 0;
  isTooLarge = false;
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.size += chunk.length;
    if (this.size > outputLimitBytes) this.isTooLarge = true;
    else this.chunks.push(chunk);
    done();
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** The exit code in an exec's closing Status: 0 on Success, else its `ExitCode` cause. */
function exitCodeOf(status: V1Status): number | null {
  if (status.status === 'Success') return 0;
  const code = status.details?.causes?.find((c) => c.reason === 'ExitCode')?.message;
  return code !== undefined && /^\d+$/.test(code) ? Number(code) : null;
}

/** The WebSocket rejects with an ErrorEvent, not an Error: its `error` (or `message`) is the one to describe. */
function socketError(event: unknown): unknown {
  if (event instanceof Error || typeof event !== 'object' || event === null) return event;
  const { error, message } = event as { error?: unknown; message?: unknown };
  return error instanceof Error ? error : new Error(typeof message === 'string' ? message : 'the WebSocket failed');
}

/**
 * Runs each command in the debug pod through the API's exec (client-node's Exec, a WebSocket).
 *
 * An exec whose stream between kube-apiserver and the kubelet breaks mid-command (the kubelet
 * restarts or dies) is reported as a Success with whatever output had arrived: kube-apiserver's
 * SPDY client takes the error stream's EOF for success (kubernetes/kubectl#1726, open in 1.36).
 * A success that wrote nothing at all — which the parsers would read as an empty table — is
 * therefore asked once more and believed only if it is empty again: a broken node answers the
 * second exec with what is wrong (the kubelet cannot be reached).
 */
export function execRunner(config: KubeConfig, namespace: string, pod: string): Runner {
  const once = execOnce(new Exec(config), namespace, pod);
  return async (argv, options) => {
    const started = Date.now();
    const outcome = await once(argv, options);
    const isEmptySuccess = outcome.kind === 'exited' && outcome.exitCode === 0 && outcome.stdout === '' && outcome.stderr === '';
    if (!isEmptySuccess) return outcome;
    const left = options.timeoutMs - (Date.now() - started);
    return left > 0 ? once(argv, { ...options, timeoutMs: left }) : { kind: 'timed-out', afterMs: options.timeoutMs };
  };
}

function execOnce(exec: Exec, namespace: string, pod: string): Runner {
  return (argv, options) =>
    new Promise<RunOutcome>((resolve) => {
      const stdout = new Collector();
      const stderr = new Collector();
      let socket: { close(): void } | null = null;
      let isDone = false;
      const finish = (outcome: RunOutcome) => {
        if (isDone) return;
        isDone = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        socket?.close();
        resolve(outcome);
      };
      const timer = setTimeout(() => finish({ kind: 'timed-out', afterMs: options.timeoutMs }), options.timeoutMs);
      const onAbort = () => finish({ kind: 'aborted' });
      if (options.signal?.aborted) return finish({ kind: 'aborted' });
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const onStatus = (status: V1Status) => {
        if (stdout.isTooLarge || stderr.isTooLarge) return finish({ kind: 'too-large', limitBytes: outputLimitBytes });
        const exitCode = exitCodeOf(status);
        // A Failure without an exit code is the runtime's: the command did not start (its
        // message says why, e.g. `executable file not found in $PATH`).
        const text = exitCode === null ? `${stderr.text()}${status.message ?? ''}` : stderr.text();
        finish({ kind: 'exited', exitCode, stdout: stdout.text(), stderr: text });
      };
      exec.exec(namespace, pod, containerName, [...argv], stdout, stderr, null, false, onStatus).then(
        (ws) => {
          socket = ws;
          if (isDone) ws.close();
          ws.on('close', () => finish({ kind: 'transport-error', message: 'The exec connection closed before the command reported its exit status.' }));
        },
        (error: unknown) => finish({ kind: 'transport-error', message: `exec into pod ${namespace}/${pod} failed: ${describeKubeError(socketError(error)).message}` }),
      );
    });
}
