/** How the doctor's Service checks name things: subjects, selectors, lists, and fixes as commands a user can paste. */
import type { PodRecord, ServicePortRecord, ServiceRecord } from '../model/types.ts';
import { kubectlObject, sh } from '../text/shell.ts';

export const serviceSubject = (service: ServiceRecord): string => `service/${service.namespace}/${service.name}`;

/** `app=cart,tier=web`, as `kubectl -l` takes it. */
export function selectorText(selector: Record<string, string>): string {
  return Object.entries(selector)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

/** `80/TCP "http"`: a Service port as its fields say it. */
export function portText(port: ServicePortRecord): string {
  return `${port.port}/${port.protocol}${port.name ? ` "${port.name}"` : ''}`;
}

/** `a, b, c and 4 more`. */
export function listed(names: string[], limit = 3): string {
  if (names.length <= limit) return names.join(', ');
  return `${names.slice(0, limit).join(', ')} and ${names.length - limit} more`;
}

export const podNames = (pods: PodRecord[]): string[] => pods.map((p) => p.name).sort();

/** `none of its 3 pods declares`, or for one, `its only pod (web-1) does not declare`. */
export function noneOfPods(pods: PodRecord[], does: string, doesNot: string): string {
  return pods.length === 1 ? `its only pod (${pods[0]?.name ?? ''}) ${doesNot}` : `none of its ${pods.length} pods ${does}`;
}

/** `kubectl -n shop patch service cart --type merge -p '{"spec":…}'`. */
export function patchCommand(kind: string, namespace: string, name: string, type: 'merge' | 'json', patch: unknown): string {
  return sh`kubectl -n ${namespace} patch ${kubectlObject(kind, name)} --type ${type} -p ${JSON.stringify(patch)}`;
}

/** The JSON patch that sets one field of the Service's `index`th port. */
export function servicePortPatch(service: ServiceRecord, index: number, field: 'name' | 'targetPort', value: string | number): string {
  return patchCommand('service', service.namespace, service.name, 'json', [{ op: 'add', path: `/spec/ports/${index}/${field}`, value }]);
}
