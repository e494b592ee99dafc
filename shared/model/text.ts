/**
 * How a model record reads in a word or a line, the same wherever it is shown: the CLI's
 * describe text, the details panel, the graph's labels and the snapshot diff report.
 * Each accepts the model's record or any description that carries the same fields.
 */
import type { EndpointRecord, ServicePortRecord } from './types.ts';

/** `80→8080/TCP :30080`: the port, the targetPort when it differs, and the nodePort. */
export function servicePortText(port: Pick<ServicePortRecord, 'port' | 'targetPort' | 'protocol' | 'nodePort'>): string {
  const target = String(port.targetPort) === String(port.port) ? '' : `→${port.targetPort}`;
  const nodePort = port.nodePort ? ` :${port.nodePort}` : '';
  return `${port.port}${target}/${port.protocol}${nodePort}`;
}

/** One word for an endpoint's EndpointSlice conditions; terminating wins over readiness. */
export type EndpointState = 'ready' | 'not-ready' | 'terminating';

export function endpointState(endpoint: Pick<EndpointRecord, 'isReady' | 'isTerminating'>): EndpointState {
  if (endpoint.isTerminating) return 'terminating';
  return endpoint.isReady ? 'ready' : 'not-ready';
}
