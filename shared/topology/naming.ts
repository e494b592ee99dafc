/**
 * How each CNI names the host end of a pod's veth, re-implemented from the CNIs' own code (the
 * sources are cited per function; test/fixtures/cni/README.md has the vectors they are checked
 * against). Only the schemes keyed on the pod's namespace and name can be applied to what the
 * Kubernetes API shows. The others are keyed on the CNI `ContainerID` — which container
 * runtimes set to the pod *sandbox* id (containerd: internal/cri/server/sandbox_run.go passes
 * `sandbox.ID` to the CNI) — and the API never shows a sandbox id: `containerStatuses[].containerID`
 * names each app container, not the sandbox. Those functions are here for a node probe, which
 * can read sandbox ids (`crictl pods -q`), and so that the rule is written down once.
 */
import { sha1Hex, sha256Hex } from '../net/hash.ts';

/**
 * Calico (projectcalico/calico libcalico-go/lib/backend/k8s/conversion/workload_endpoint_default.go,
 * `VethNameForWorkload`): the prefix (first entry of `FELIX_INTERFACEPREFIX`, default `cali`) and
 * the first 11 hex digits of SHA-1 of `<namespace>.<pod name>`.
 */
export function calicoVethName(namespace: string, podName: string, prefix = 'cali'): string {
  return `${prefix}${sha1Hex(`${namespace}.${podName}`).slice(0, 11)}`;
}

/** The first entry of a comma-separated `FELIX_INTERFACEPREFIX`, as Calico reads it. */
export function calicoInterfacePrefix(felixInterfacePrefix: string | undefined): string {
  return felixInterfacePrefix?.split(',')[0] || 'cali';
}

/**
 * AWS VPC CNI (aws/amazon-vpc-cni-k8s pkg/networkutils/names.go, `GeneratePodHostVethName`):
 * Calico's scheme on purpose, with the prefix `AWS_VPC_K8S_CNI_VETHPREFIX` (default `eni`); a
 * pod's extra interfaces (index > 0) hash `<pod name>.<index>`.
 */
export function awsVethName(namespace: string, podName: string, prefix = 'eni', index = 0): string {
  return calicoVethName(namespace, index > 0 ? `${podName}.${index}` : podName, prefix);
}

/**
 * Azure CNI in transparent mode (Azure/azure-container-networking cni/network/network.go sets the
 * veth key to `<namespace>.<pod name>`; network/endpoint_linux.go names the host end `azv` + the
 * first 11 hex digits of its SHA-1). In bridge mode the key holds the sandbox id instead.
 */
export function azureVethName(namespace: string, podName: string): string {
  return calicoVethName(namespace, podName, 'azv');
}

/**
 * Cilium (cilium/cilium plugins/cilium-cni/cmd/cmd.go `cniID := ep.ContainerID + ":" +
 * ep.ContainerInterfaceName`; pkg/datapath/connector `Endpoint2IfName`): `lxc` + the first 12 hex
 * digits of SHA-256 of `<sandbox id>:<interface>`; releases before the interface was appended
 * hashed the bare sandbox id (`legacy`).
 */
export function ciliumVethName(sandboxId: string, interfaceName = 'eth0', legacy = false): string {
  return `lxc${sha256Hex(legacy ? sandboxId : `${sandboxId}:${interfaceName}`).slice(0, 12)}`;
}

/**
 * Antrea (antrea-io/antrea pkg/agent/util/net.go `GenerateContainerHostVethName`): the pod name
 * cut to 8 characters (leading `-` trimmed when cut), `-`, and the first 6 hex digits of SHA-1
 * of the sandbox id (of sandbox id + interface for secondary interfaces).
 */
export function antreaVethName(podName: string, sandboxId: string, interfaceName = 'eth0'): string {
  const key = interfaceName === 'eth0' ? sandboxId : `${sandboxId}${interfaceName}`;
  return `${antreaVethPrefix(podName)}-${sha1Hex(key).slice(0, 6)}`;
}

export function antreaVethPrefix(podName: string): string {
  return podName.length <= 8 ? podName : podName.slice(0, 8).replace(/^-+/, '');
}

/** OVN-Kubernetes (ovn-org/ovn-kubernetes go-controller/pkg/cni/helper_linux.go): the first 15
 * characters of the sandbox id. */
export function ovnKubernetesVethName(sandboxId: string): string {
  return sandboxId.slice(0, 15);
}

/** Weave Net (weaveworks/weave net/veth.go): `vethwepl` + the first 5 characters of the sandbox id. */
export function weaveVethName(sandboxId: string): string {
  return `vethwepl${sandboxId.slice(0, 5)}`;
}
