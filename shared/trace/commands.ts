/**
 * The kubectl commands a trace gives to check what a hop says, each name in them quoted for sh
 * (shared/text/shell.ts): they are shown to be pasted.
 */
import type { Id, PodRecord, ServiceRecord, Topology } from '../model/types.ts';
import { kubectlName, kubectlObject, sh } from '../text/shell.ts';

type Named = { namespace: string; name: string };

/** `command` (a command line already) run in the pod. */
export function kubectlExec(pod: Pick<PodRecord, 'namespace' | 'name'>, command: string): string {
  return `${sh`kubectl exec -n ${pod.namespace} ${kubectlName('pod', pod.name)} --`} ${command}`;
}

/** `kubectl get svc -n shop cart -o wide`. */
export function serviceCommand(service: Pick<ServiceRecord, 'namespace' | 'name'>): string {
  return sh`kubectl get ${kubectlObject('svc', service.name, service.namespace)} -o wide`;
}

/** The Service's EndpointSlices, by the label the EndpointSlice controller sets. */
export function endpointSlicesCommand(service: Pick<ServiceRecord, 'namespace' | 'name'>): string {
  return sh`kubectl get endpointslices -n ${service.namespace} -l ${`kubernetes.io/service-name=${service.name}`} -o wide`;
}

/** `kubectl describe pod -n shop web-1` (a pod, an Ingress, an HTTPRoute). */
export function describeCommand(kind: string, object: Named): string {
  return sh`kubectl describe ${kubectlObject(kind, object.name, object.namespace)}`;
}

/** An admin policy (AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy) as YAML. */
export function adminPolicyCommand(policy: { apiKind: string; name: string }): string {
  return sh`kubectl get ${kubectlObject(policy.apiKind.toLowerCase(), policy.name)} -o yaml`;
}

/** The NetworkPolicy as YAML; its namespace and name from the record (a name may hold a `/`). */
export function policyCommand(topology: Topology, id: Id): string {
  const policy = topology.policies[id];
  const [namespace = '', name = ''] = policy ? [policy.namespace, policy.name] : id.slice('netpol:'.length).split('/');
  return sh`kubectl get ${kubectlObject('networkpolicy', name, namespace)} -o yaml`;
}
