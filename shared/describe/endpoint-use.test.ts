import { describe, expect, it } from 'vitest';
import { emptyObjects, type Service } from '../kube/objects.ts';
import { derive } from '../topology/derive.ts';
import { describeTopology } from './build.ts';
import type { DescribedServicePort } from './types.ts';

// kube-proxy in iptables mode on two nodes; one Service whose endpoints each case sets. Which
// endpoints get a KUBE-SEP chain follows pkg/proxy/topology.go CategorizeEndpoints.
type Ep = [ip: string, node: string, conditions: 'ready' | 'not-ready' | 'serving-terminating' | 'terminating'];

function portOf(spec: Partial<Service['spec']>, endpoints: Ep[]): DescribedServicePort {
  const objects = emptyObjects();
  for (const name of ['w1', 'w2']) objects.nodes.push({ metadata: { name, uid: name }, spec: {}, status: { addresses: [{ type: 'InternalIP', address: `172.18.0.${name.at(-1)}` }] } });
  objects.configMaps.push({ metadata: { name: 'kube-proxy', namespace: 'kube-system', uid: 'cm' }, data: { 'config.conf': 'kind: KubeProxyConfiguration\nmode: iptables\n' } });
  objects.services.push({
    metadata: { name: 'web', namespace: 'shop', uid: 'svc' },
    spec: { type: 'ClusterIP', clusterIP: '10.96.0.20', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP', ...(spec.type === 'NodePort' ? { nodePort: 30080 } : {}) }], ...spec },
  });
  objects.endpointSlices.push({
    metadata: { name: 'web-abcde', namespace: 'shop', uid: 'slice', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    endpoints: endpoints.map(([ip, nodeName, c]) => ({
      addresses: [ip],
      nodeName,
      conditions: { ready: c === 'ready', serving: c === 'ready' || c === 'serving-terminating', terminating: c === 'serving-terminating' || c === 'terminating' },
    })),
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  });
  const port = describeTopology(derive(objects)).services[0]?.ports[0];
  if (!port?.kubeProxy) throw new Error('no kube-proxy chains');
  return port;
}

/** Each endpoint's state and whether kube-proxy writes its chain, by address. */
function marks(port: DescribedServicePort): Record<string, string> {
  return Object.fromEntries(port.kubeProxy!.endpoints.map((e) => [e.ip, `${e.state}${e.programmed ? '' : ', no chain'}`]));
}

describe('which endpoint chains kube-proxy writes', () => {
  it('ready ones; not the not-ready, nor a terminating one while another is ready', () => {
    const port = portOf({}, [
      ['10.244.1.5', 'w1', 'ready'],
      ['10.244.1.6', 'w1', 'not-ready'],
      ['10.244.2.5', 'w2', 'serving-terminating'],
      ['10.244.2.6', 'w2', 'terminating'],
    ]);
    expect(marks(port)).toEqual({ '10.244.1.5': 'ready', '10.244.1.6': 'not-ready, no chain', '10.244.2.5': 'terminating, no chain', '10.244.2.6': 'terminating, no chain' });
    // The chains to grep for are the ones that exist.
    const ready = port.kubeProxy!.endpoints.find((e) => e.ip === '10.244.1.5')!;
    expect(port.kubeProxyChains.filter((c) => c.startsWith('KUBE-SEP-'))).toEqual([ready.chain]);
  });

  it('with no ready endpoint anywhere, the terminating ones that still serve', () => {
    const port = portOf({}, [
      ['10.244.1.6', 'w1', 'not-ready'],
      ['10.244.2.5', 'w2', 'serving-terminating'],
      ['10.244.2.6', 'w2', 'terminating'],
    ]);
    expect(marks(port)).toEqual({ '10.244.1.6': 'not-ready, no chain', '10.244.2.5': 'terminating', '10.244.2.6': 'terminating, no chain' });
  });

  it('all healthy: every endpoint has its chain', () => {
    const port = portOf({}, [
      ['10.244.1.5', 'w1', 'ready'],
      ['10.244.2.5', 'w2', 'ready'],
    ]);
    expect(marks(port)).toEqual({ '10.244.1.5': 'ready', '10.244.2.5': 'ready' });
    expect(port.kubeProxyChains.filter((c) => c.startsWith('KUBE-SEP-'))).toHaveLength(2);
  });

  it('Local traffic policy falls back per node: a serving terminating endpoint is used on a node with no ready one', () => {
    const endpoints: Ep[] = [
      ['10.244.1.5', 'w1', 'ready'],
      ['10.244.2.5', 'w2', 'serving-terminating'],
    ];
    expect(marks(portOf({ internalTrafficPolicy: 'Local' }, endpoints))).toEqual({ '10.244.1.5': 'ready', '10.244.2.5': 'terminating' });
    expect(marks(portOf({ type: 'NodePort', externalTrafficPolicy: 'Local' }, endpoints))).toEqual({ '10.244.1.5': 'ready', '10.244.2.5': 'terminating' });
    // Not beside a ready endpoint on its own node.
    expect(marks(portOf({ internalTrafficPolicy: 'Local' }, [...endpoints, ['10.244.2.6', 'w2', 'ready']]))['10.244.2.5']).toBe('terminating, no chain');
    // externalTrafficPolicy Local on a ClusterIP Service means nothing (the field is only for external traffic).
    expect(marks(portOf({ externalTrafficPolicy: 'Local' }, endpoints))['10.244.2.5']).toBe('terminating, no chain');
  });
});
