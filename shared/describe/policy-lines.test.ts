import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { emptyObjects, type NetworkPolicy, type Pod } from '../kube/objects.ts';
import { parseSnapshot } from '../snapshot/format.ts';
import { derive } from '../topology/derive.ts';
import { describeElement } from './build.ts';
import type { DescribedPod } from './types.ts';

// A web pod, a db pod and a hostNetwork agent in shop; each case adds policies and reads the two lines.
function pod(name: string, labels: Record<string, string>, hostNetwork = false): Pod {
  return {
    metadata: { name, namespace: 'shop', uid: `uid-${name}`, labels },
    spec: { nodeName: 'n1', ...(hostNetwork ? { hostNetwork: true } : {}), containers: [{ name: 'main' }] },
    status: { phase: 'Running', podIP: hostNetwork ? '172.18.0.2' : `10.244.1.${name.length}` },
  };
}

const policy = (name: string, spec: NetworkPolicy['spec'], namespace = 'shop'): NetworkPolicy => ({ metadata: { name, namespace, uid: `np-${name}` }, spec });

function linesOf(name: string, policies: NetworkPolicy[]): [string, string] {
  const objects = emptyObjects();
  objects.nodes.push({ metadata: { name: 'n1', uid: 'n1' }, spec: { podCIDR: '10.244.1.0/24' }, status: { addresses: [{ type: 'InternalIP', address: '172.18.0.2' }] } });
  objects.pods.push(pod('web', { app: 'web' }), pod('db', { app: 'db' }), pod('agent', { app: 'web' }, true));
  objects.networkPolicies.push(...policies);
  const topology = derive(objects);
  const found = Object.values(topology.pods).find((p) => p.name === name)!;
  const described = describeElement(topology, found.id);
  if (described?.kind !== 'pod') throw new Error('not a pod');
  return [described.pod.policyLines.ingress.line, described.pod.policyLines.egress.line];
}

const denyAll = policy('deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
const dbAllow = policy('db-allow', {
  podSelector: { matchLabels: { app: 'db' } },
  policyTypes: ['Ingress'],
  ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }, { podSelector: { matchLabels: { app: 'db' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
});

describe('a pod’s policy lines', () => {
  it('no policy: not isolated either way', () => {
    expect(linesOf('web', [])).toEqual(['Ingress: not isolated: anyone may connect', 'Egress: not isolated: may reach anything']);
  });

  it('a default deny: isolated, nothing allowed', () => {
    expect(linesOf('web', [denyAll])).toEqual(['Ingress: isolated by shop/deny-all — nothing may connect', 'Egress: isolated by shop/deny-all — may reach nothing']);
  });

  it('an allow policy with the deny: the isolating policies, then the peers and ports their rules allow', () => {
    expect(linesOf('db', [denyAll, dbAllow])).toEqual([
      'Ingress: isolated by shop/db-allow and shop/deny-all — only from app=web, app=db on 5432/TCP',
      'Egress: isolated by shop/deny-all — may reach nothing',
    ]);
    // The web pod is not selected by db-allow: its lines are the deny's alone.
    expect(linesOf('web', [denyAll, dbAllow])[0]).toBe('Ingress: isolated by shop/deny-all — nothing may connect');
  });

  it('ingress only: egress stays open; a policy in another namespace changes nothing', () => {
    expect(linesOf('db', [dbAllow, policy('elsewhere', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }, 'payments')])).toEqual([
      'Ingress: isolated by shop/db-allow — only from app=web, app=db on 5432/TCP',
      'Egress: not isolated: may reach anything',
    ]);
  });

  it('rules without peers or without ports; named ports; namespaces; ipBlocks', () => {
    const egress = policy('web-out', {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Egress'],
      egress: [
        { ports: [{ protocol: 'UDP', port: 53 }] },
        { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'payments' } }, podSelector: { matchLabels: { app: 'ledger' } } }], ports: [{ port: 'http' }] },
        { to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] },
      ],
    });
    expect(linesOf('web', [egress])[1]).toBe('Egress: isolated by shop/web-out — only to anywhere on 53/UDP; to app=ledger in payments on http/TCP; to 10.0.0.0/8 except 10.1.0.0/16 on any port');
  });

  it('a rule with neither peers nor ports allows everything, and the line says so', () => {
    const open = policy('web-open', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{}] });
    expect(linesOf('web', [denyAll, open])[0]).toBe('Ingress: isolated by shop/deny-all and shop/web-open — yet shop/web-open allows anyone to connect, on any port');
  });

  it('many rules: the first four, then how many more', () => {
    const many = policy('db-many', {
      podSelector: { matchLabels: { app: 'db' } },
      policyTypes: ['Ingress'],
      ingress: [5432, 5433, 5434, 5435, 5436, 5437].map((port) => ({ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port }] })),
    });
    expect(linesOf('db', [many])[0]).toBe('Ingress: isolated by shop/db-many — only from app=web on 5432/TCP; from app=web on 5433/TCP; from app=web on 5434/TCP; from app=web on 5435/TCP; and 2 more rules');
  });

  it('a hostNetwork pod is outside NetworkPolicy, even under a default deny', () => {
    expect(linesOf('agent', [denyAll])).toEqual(['Ingress: not isolated: a hostNetwork pod is outside NetworkPolicy', 'Egress: not isolated: a hostNetwork pod is outside NetworkPolicy']);
  });

  it('names the isolating policies by id, for links', () => {
    const objects = emptyObjects();
    objects.pods.push(pod('db', { app: 'db' }));
    objects.networkPolicies.push(denyAll, dbAllow);
    const topology = derive(objects);
    const described = describeElement(topology, Object.keys(topology.pods)[0]!);
    const lines = (described as { pod: DescribedPod }).pod.policyLines;
    expect(lines.ingress).toMatchObject({ isolated: true, isolatedBy: [{ id: 'netpol:shop/db-allow', policy: 'shop/db-allow' }, { id: 'netpol:shop/deny-all', policy: 'shop/deny-all' }] });
    expect(lines.egress).toMatchObject({ isolated: true, isolatedBy: [{ id: 'netpol:shop/deny-all' }], allows: 'may reach nothing' });
  });
});

describe('the demo’s shop/db-0', () => {
  it('reads both directions from shop’s default deny, DNS egress and db-allow', () => {
    const snapshot = parseSnapshot(readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));
    const topology = derive(snapshot.objects, snapshot.source);
    const db0 = Object.values(topology.pods).find((p) => p.namespace === 'shop' && p.name === 'db-0')!;
    const described = describeElement(topology, db0.id);
    if (described?.kind !== 'pod') throw new Error('not a pod');
    expect(described.pod.policyLines.ingress.line).toBe('Ingress: isolated by shop/db-allow and shop/default-deny-all — only from app=backend, app=db on 5432/TCP');
    expect(described.pod.policyLines.egress.line).toBe(
      'Egress: isolated by shop/allow-dns-egress, shop/db-allow and shop/default-deny-all — only to k8s-app=kube-dns in kube-system on 53/UDP, 53/TCP; to app=db on 5432/TCP',
    );
  });
});
