import { describe, expect, it } from 'vitest';
import { emptyObjects, type NetworkPolicy, type Pod } from '../kube/objects.ts';
import type { Topology } from '../model/types.ts';
import { derive } from '../topology/derive.ts';
import { isolationOf } from './isolation.ts';

// One namespace with an app=web pod, an app=db pod and a hostNetwork agent; another namespace's
// policies must not reach them. The cases follow the NetworkPolicy documentation's "Isolated and
// Non-isolated Pods" and the API server's policyTypes defaulting.
function pod(name: string, labels: Record<string, string>, hostNetwork = false): Pod {
  return {
    metadata: { name, namespace: 'shop', uid: `uid-${name}`, labels },
    spec: { nodeName: 'n1', ...(hostNetwork ? { hostNetwork: true } : {}), containers: [{ name: 'main' }] },
    status: { phase: 'Running', podIP: hostNetwork ? '172.18.0.2' : `10.244.1.${name.length}` },
  };
}

function topologyWith(policies: NetworkPolicy[]): Topology {
  const objects = emptyObjects();
  objects.nodes.push({ metadata: { name: 'n1', uid: 'n1' }, spec: { podCIDR: '10.244.1.0/24' }, status: { addresses: [{ type: 'InternalIP', address: '172.18.0.2' }] } });
  objects.pods.push(pod('web', { app: 'web' }), pod('db', { app: 'db' }), pod('agent', { app: 'web' }, true));
  objects.networkPolicies.push(...policies);
  return derive(objects);
}

const policy = (name: string, namespace: string, spec: NetworkPolicy['spec']): NetworkPolicy => ({ metadata: { name, namespace, uid: `np-${name}` }, spec });

function isolationByName(topology: Topology): Record<string, { ingress: boolean; egress: boolean }> {
  return Object.fromEntries(Object.values(topology.pods).map((p) => [p.name, isolationOf(topology, p)]));
}

describe('isolationOf', () => {
  it('no policy: nothing is isolated', () => {
    expect(isolationByName(topologyWith([]))).toEqual({ web: { ingress: false, egress: false }, db: { ingress: false, egress: false }, agent: { ingress: false, egress: false } });
  });

  it('no policyTypes and no egress rules: ingress only, for the pods the selector picks', () => {
    const topology = topologyWith([policy('db-in', 'shop', { podSelector: { matchLabels: { app: 'db' } } })]);
    expect(isolationByName(topology)).toMatchObject({ db: { ingress: true, egress: false }, web: { ingress: false, egress: false } });
  });

  it('egress rules without policyTypes isolate both directions; policyTypes [Egress] isolates egress only', () => {
    const both = topologyWith([policy('web-out', 'shop', { podSelector: { matchLabels: { app: 'web' } }, egress: [{}] })]);
    expect(isolationByName(both).web).toEqual({ ingress: true, egress: true });
    const egressOnly = topologyWith([policy('web-out', 'shop', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'] })]);
    expect(isolationByName(egressOnly).web).toEqual({ ingress: false, egress: true });
  });

  it('an empty podSelector selects every pod of its namespace, and only of its namespace; hostNetwork pods are outside', () => {
    const topology = topologyWith([policy('deny-all', 'shop', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }), policy('elsewhere', 'payments', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })]);
    expect(isolationByName(topology)).toEqual({ web: { ingress: true, egress: true }, db: { ingress: true, egress: true }, agent: { ingress: false, egress: false } });
    const other = topologyWith([policy('elsewhere', 'payments', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })]);
    expect(isolationByName(other).web).toEqual({ ingress: false, egress: false });
  });
});
