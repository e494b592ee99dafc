/**
 * What the details panel copies, and copying it: pure helpers (tested in copy.test.ts) plus
 * one clipboard write that reports, rather than throws, when the clipboard is refused.
 */
import { stringify as stringifyYaml } from 'yaml';
import type { ElementDescription } from '../../../shared/describe/types.ts';
import type { ObjectView } from '../../../shared/ipc.ts';
import { kubectlObject, sh } from '../../../shared/text/shell.ts';

/**
 * The element's name as a user types it: `namespace/name` for namespaced objects, the name for
 * cluster-scoped ones, the interface name for a device or veth (null while it is unknown), the
 * address for an endpoint, `namespace/pod` plus `-c container` for a container (what `kubectl
 * logs` and `kubectl exec` take; the container quoted, as it follows a flag). Null when there is
 * nothing to name (the Internet).
 */
export function copyableName(description: ElementDescription): string | null {
  switch (description.kind) {
    case 'pod':
      return `${description.pod.namespace}/${description.pod.name}`;
    case 'container':
      return `${description.pod.namespace ? `${description.pod.namespace}/` : ''}${description.pod.name} ${sh`-c ${description.container.name}`}`;
    case 'node':
      return description.node.name;
    case 'device':
      return description.device.name;
    case 'veth':
      return description.veth.hostName;
    case 'service':
      return `${description.service.namespace}/${description.service.name}`;
    case 'endpoint':
      return description.endpoint.ip;
    case 'ingress':
      return `${description.ingress.namespace}/${description.ingress.name}`;
    case 'policy':
      return `${description.policy.namespace}/${description.policy.name}`;
    case 'adminpolicy':
      return description.policy.name;
    case 'cnipolicy':
      return description.policy.namespace ? `${description.policy.namespace}/${description.policy.name}` : description.policy.name;
    case 'namespace':
      return description.namespace.name;
    case 'external':
      return null;
  }
}

/** The whole description, as `podpath describe --json` would print the element. */
export function descriptionJson(description: ElementDescription): string {
  return JSON.stringify(description, null, 2) + '\n';
}

/** The trimmed object Podpath keeps, as YAML. */
export function objectYaml(view: ObjectView): string {
  return stringifyYaml(view.object, { lineWidth: 0 });
}

/** Kinds whose resource name is not their collection's, lowercased: Calico's NetworkPolicy
 * would otherwise be Kubernetes' `networkpolicies`. */
const resourceNames: Record<string, string> = {
  calicoNetworkPolicies: 'networkpolicies.projectcalico.org',
  calicoGlobalNetworkPolicies: 'globalnetworkpolicies.projectcalico.org',
  calicoTiers: 'tiers.projectcalico.org',
  ciliumNetworkPolicies: 'ciliumnetworkpolicies.cilium.io',
  ciliumClusterwideNetworkPolicies: 'ciliumclusterwidenetworkpolicies.cilium.io',
};

/** The command that prints the full object from the cluster, e.g. `kubectl get pods -n shop web-1 -o yaml`. */
export function kubectlGetCommand(view: ObjectView): string {
  const { name, namespace } = view.object.metadata;
  return sh`kubectl get ${kubectlObject(resourceNames[view.kind] ?? view.kind.toLowerCase(), name, namespace || undefined)} -o yaml`;
}

export type CopyResult = { ok: true } | { ok: false; reason: string };

/** Writes `text` to the clipboard; a refusal (no permission, no focus, no clipboard) is a result, not a throw. */
export async function copyText(text: string, clipboard: Pick<Clipboard, 'writeText'> | undefined = globalThis.navigator?.clipboard): Promise<CopyResult> {
  if (!clipboard) return { ok: false, reason: 'The clipboard is not available here.' };
  try {
    await clipboard.writeText(text);
    return { ok: true };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: `The clipboard refused: ${message}` };
  }
}
