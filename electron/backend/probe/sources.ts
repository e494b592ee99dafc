/**
 * The probe's sources on this machine: a named network namespace (the lab, or a node simulated
 * in one), the machine's own root namespace (Podpath running on the node), and the node
 * containers of kind and minikube (`docker exec` / `podman exec`). The debug pod, which needs
 * the API, is debug-pod.ts.
 */
import type { KubeNode } from '../../../shared/kube/objects.ts';
import type { ProbeTarget } from './probe-node.ts';
import { spawnRunner, type Runner } from './runner.ts';

/**
 * Node NODE's root namespace is the named netns NETNS on this machine: every command runs as
 * `ip netns exec NETNS …`. Named namespaces are global to the machine, so its pod netns are not
 * "every named netns" but those NETNS itself has ids for (`ip netns list-id` run inside it):
 * the ones its veths lead into.
 */
export function netnsTarget(node: string, netns: string, runner: Runner = spawnRunner(['ip', 'netns', 'exec', netns])): ProbeTarget {
  return { node, source: 'netns', target: netns, run: runner };
}

/** Node NODE is this machine: the commands run in Podpath's own network namespace. */
export function localTarget(node: string, runner: Runner = spawnRunner()): ProbeTarget {
  return { node, source: 'local', target: 'the root network namespace of this machine', run: runner };
}

export type ContainerCli = 'docker' | 'podman';

/** Node NODE is the container CONTAINER of kind or minikube: `docker exec CONTAINER …`. */
export function containerTarget(node: string, cli: ContainerCli, container: string, runner: Runner = spawnRunner([cli, 'exec', container])): ProbeTarget {
  return { node, source: cli, target: `${cli} container ${container}`, run: runner };
}

/** A node that is a container on this machine, and the CLIs that may hold it, most likely first. */
export interface NodeContainer {
  container: string;
  clis: ContainerCli[];
  /** What said so: `providerID kind://docker/dev/dev-worker`, `label minikube.k8s.io/name`, `context kind-dev`. */
  evidence: string;
}

/**
 * Whether a Node is a kind or minikube node container, from its providerID (kind sets
 * `kind://<provider>/<cluster>/<node>`), its labels (minikube labels every node
 * `minikube.k8s.io/name`) or, failing both, the context's name (`kind-<cluster>`). Both name
 * the container after the node (kind: `dev-control-plane`; minikube: `minikube`, `minikube-m02`).
 * Null for anything else: a real node is read through a debug pod.
 */
export function nodeContainerOf(node: KubeNode, contextName: string | null): NodeContainer | null {
  const name = node.metadata.name;
  const providerID = node.spec?.providerID ?? '';
  const kind = /^kind:\/\/(docker|podman|nerdctl)\//.exec(providerID);
  if (kind) {
    // nerdctl has no `exec` of the same shape we can rely on here: only docker and podman.
    const provider = kind[1];
    if (provider === 'docker' || provider === 'podman') return { container: name, clis: [provider], evidence: `providerID ${providerID}` };
    return null;
  }
  if (node.metadata.labels?.['minikube.k8s.io/name'] !== undefined) {
    // minikube's driver is not on the Node: docker first (the default driver), then podman.
    return { container: name, clis: ['docker', 'podman'], evidence: 'label minikube.k8s.io/name' };
  }
  if (contextName?.startsWith('kind-') && providerID === '') return { container: name, clis: ['docker', 'podman'], evidence: `context ${contextName}` };
  return null;
}

/**
 * The CLI that has the container running, asked with `CLI container inspect`; null when
 * neither does (kind on another machine, a stopped cluster).
 */
export async function findNodeContainer(found: NodeContainer, runner: (cli: ContainerCli) => Runner = (cli) => spawnRunner([cli])): Promise<ContainerCli | null> {
  for (const cli of found.clis) {
    const outcome = await runner(cli)(['container', 'inspect', '--format', '{{.State.Running}}', found.container], { timeoutMs: 10_000 });
    if (outcome.kind === 'exited' && outcome.exitCode === 0 && outcome.stdout.trim() === 'true') return cli;
  }
  return null;
}
