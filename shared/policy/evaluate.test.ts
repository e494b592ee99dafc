import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { emptyObjects, type ContainerPort, type KubeNode, type Namespace, type NetworkPolicy, type Pod } from '../kube/objects.ts';
import type { Topology } from '../model/types.ts';
import { parseSnapshot } from '../snapshot/format.ts';
import { derive } from '../topology/derive.ts';
import { evaluatePolicy, policyRecordFrom, withPolicies } from './evaluate.ts';
import type { DirectionVerdict, Flow, PolicyEndpoint, Protocol, RuleRef } from './types.ts';

// --- a tiny cluster ---------------------------------------------------------------------------
//
// Two nodes; namespaces team-a (team=a) and team-b (team=b); pod-network pods on both nodes and a
// hostNetwork agent on each node. `team-a/web` has named ports on TCP and SCTP; `team-a/frontend`
// names its own port `http` too, but on a different number, so a named port resolved on the
// wrong pod shows.

const nodes: KubeNode[] = [
  { metadata: { name: 'n1', uid: 'n1' }, spec: { podCIDR: '10.244.1.0/24' }, status: { addresses: [{ type: 'InternalIP', address: '172.18.0.2' }] } },
  { metadata: { name: 'n2', uid: 'n2' }, spec: { podCIDR: '10.244.2.0/24' }, status: { addresses: [{ type: 'InternalIP', address: '172.18.0.3' }] } },
];
const nodeIP = { n1: '172.18.0.2', n2: '172.18.0.3' };

const namespaces: Namespace[] = [
  { metadata: { name: 'team-a', uid: 'ns-a', labels: { team: 'a', 'kubernetes.io/metadata.name': 'team-a' } } },
  { metadata: { name: 'team-b', uid: 'ns-b', labels: { team: 'b', 'kubernetes.io/metadata.name': 'team-b' } } },
  { metadata: { name: 'kube-system', uid: 'ns-ks', labels: { 'kubernetes.io/metadata.name': 'kube-system' } } },
];

function pod(qualified: string, node: 'n1' | 'n2', ip: string, labels: Record<string, string>, ports: ContainerPort[] = [], hostNetwork = false): Pod {
  const [namespace = '', name = ''] = qualified.split('/');
  return {
    metadata: { name, namespace, uid: `uid-${namespace}-${name}`, labels },
    spec: { nodeName: node, ...(hostNetwork ? { hostNetwork: true } : {}), containers: [{ name: 'main', ports }] },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
  };
}

const pods: Pod[] = [
  pod('team-a/web', 'n1', '10.244.1.10', { app: 'web' }, [
    { name: 'http', containerPort: 8080, protocol: 'TCP' },
    { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
    { name: 'diameter', containerPort: 3868, protocol: 'SCTP' },
  ]),
  pod('team-a/frontend', 'n2', '10.244.2.20', { app: 'frontend' }, [{ name: 'http', containerPort: 3000, protocol: 'TCP' }]),
  pod('team-a/client', 'n2', '10.244.2.21', { app: 'client' }),
  pod('team-b/client', 'n2', '10.244.2.30', { app: 'client' }),
  pod('team-b/frontend', 'n1', '10.244.1.31', { app: 'frontend' }),
  pod('kube-system/agent-n1', 'n1', nodeIP.n1, { app: 'agent' }, [{ name: 'http', containerPort: 8080, protocol: 'TCP' }], true),
  pod('kube-system/agent-n2', 'n2', nodeIP.n2, { app: 'agent' }, [{ name: 'http', containerPort: 8080, protocol: 'TCP' }], true),
];

const topology: Topology = derive({ ...emptyObjects(), nodes, namespaces, pods });

function np(qualified: string, spec: Partial<NetworkPolicy['spec']>): NetworkPolicy {
  const [namespace = '', name = ''] = qualified.split('/');
  return { metadata: { name, namespace, uid: `np-${qualified}` }, spec: { podSelector: {}, ...spec } };
}

/** A pod by `namespace/name`, or an address that is no pod. */
function endpoint(topo: Topology, ref: string): PolicyEndpoint {
  if (!ref.includes('/')) return { pod: null, ip: ref };
  const found = Object.values(topo.pods).find((p) => `${p.namespace}/${p.name}` === ref);
  if (!found) throw new Error(`no pod ${ref}`);
  return { pod: found, ip: found.ips[0] ?? '' };
}

function flowOf(topo: Topology, from: string, to: string, port: number, protocol: Protocol = 'TCP'): Flow {
  return { from: endpoint(topo, from), to: endpoint(topo, to), port, protocol };
}

/** `team-a/allow ingress[0] peer 1 port 0` */
function refText(ref: RuleRef): string {
  return `${ref.name} ${ref.direction}[${ref.rule}]${ref.peer === undefined ? '' : ` peer ${ref.peer}`}${ref.port === undefined ? '' : ` port ${ref.port}`}`;
}

const names = (verdict: DirectionVerdict) => verdict.isolatedBy.map((id) => id.replace(/^netpol:/, ''));

interface Expected {
  verdict: DirectionVerdict['verdict'];
  isolatedBy?: string[];
  allowedBy?: string[];
  exemption?: 'self' | 'local-node';
  /** Substrings the reason must contain. */
  reason?: string[];
}

interface Case {
  name: string;
  policies: NetworkPolicy[];
  flow: [from: string, to: string, port: number, protocol?: Protocol];
  egress: Expected;
  ingress: Expected;
}

// Recurring policies.
const denyIngress = (ns = 'team-a') => np(`${ns}/deny-ingress`, { policyTypes: ['Ingress'] });
const denyEgress = (ns = 'team-a') => np(`${ns}/deny-egress`, { policyTypes: ['Egress'] });
const denyAll = np('team-a/deny-all', { policyTypes: ['Ingress', 'Egress'] });
const webFrom = (name: string, from: NetworkPolicy['spec']['ingress']) => np(`team-a/${name}`, { podSelector: { matchLabels: { app: 'web' } }, ingress: from });
const open: Expected = { verdict: 'not-isolated' };
const na: Expected = { verdict: 'not-applicable' };

const cases: Case[] = [
  // --- isolation and policyTypes -------------------------------------------------------------
  { name: 'no policies: nothing is isolated', policies: [], flow: ['team-a/frontend', 'team-a/web', 8080], egress: open, ingress: open },
  {
    name: 'default deny ingress isolates every pod of its namespace for ingress only',
    policies: [denyIngress()],
    flow: ['team-a/frontend', 'team-a/web', 8080],
    egress: { verdict: 'not-isolated', reason: ['team-a/deny-ingress selects it, but without Egress in policyTypes'] },
    ingress: { verdict: 'denied', isolatedBy: ['team-a/deny-ingress'], allowedBy: [], reason: ['team-a/deny-ingress: it has no ingress rules'] },
  },
  {
    name: 'implicit policyTypes without an egress section: Ingress only, egress stays open',
    policies: [np('team-a/frontend-in', { podSelector: { matchLabels: { app: 'frontend' } }, ingress: [] })],
    flow: ['team-a/frontend', 'team-a/web', 8080],
    egress: { verdict: 'not-isolated', reason: ['team-a/frontend-in selects it, but without Egress in policyTypes'] },
    ingress: open,
  },
  {
    name: 'implicit policyTypes with an egress section: egress is isolated too',
    policies: [np('team-a/frontend-out', { podSelector: { matchLabels: { app: 'frontend' } }, egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }] }] })],
    flow: ['team-a/frontend', 'team-a/web', 8080],
    egress: { verdict: 'denied', isolatedBy: ['team-a/frontend-out'], reason: ['it has app=web, not app=db'] },
    ingress: open,
  },
  {
    name: 'implicit policyTypes always include Ingress, even with only an egress section',
    policies: [np('team-a/web-out', { podSelector: { matchLabels: { app: 'web' } }, egress: [{}] })],
    flow: ['team-a/frontend', 'team-a/web', 8080],
    egress: open,
    ingress: { verdict: 'denied', isolatedBy: ['team-a/web-out'], reason: ['no ingress rules'] },
  },
  {
    name: 'explicit policyTypes [Egress] ignores an ingress section',
    policies: [np('team-a/web-egress-only', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'nobody' } } }] }] })],
    flow: ['team-a/frontend', 'team-a/web', 8080],
    egress: open,
    ingress: open,
  },
  {
    name: 'a policy isolates only the pods its podSelector selects',
    policies: [np('team-a/db-deny', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress', 'Egress'] })],
    flow: ['team-a/frontend', 'team-a/web', 8080],
    egress: open,
    ingress: open,
  },
  {
    name: 'a policy isolates only pods of its own namespace',
    policies: [denyIngress('team-b'), denyEgress('team-b')],
    flow: ['team-a/frontend', 'team-a/web', 8080],
    egress: open,
    ingress: open,
  },
  {
    name: 'default deny all denies both directions',
    policies: [denyAll],
    flow: ['team-a/frontend', 'team-a/web', 8080],
    egress: { verdict: 'denied', isolatedBy: ['team-a/deny-all'], reason: ['team-a/frontend is isolated for egress by team-a/deny-all', 'no egress rules'] },
    ingress: { verdict: 'denied', isolatedBy: ['team-a/deny-all'], reason: ['team-a/web is isolated for ingress by team-a/deny-all'] },
  },
  {
    name: 'an empty rule `ingress: [{}]` allows everything, whatever else isolates the pod',
    policies: [denyAll, np('team-a/allow-all-in', { policyTypes: ['Ingress'], ingress: [{}] })],
    flow: ['team-b/client', 'team-a/web', 4242, 'UDP'],
    egress: open,
    ingress: {
      verdict: 'allowed',
      isolatedBy: ['team-a/allow-all-in', 'team-a/deny-all'],
      allowedBy: ['team-a/allow-all-in ingress[0]'],
      reason: ['allowed by team-a/allow-all-in ingress rule 1 (from any source, any port)'],
    },
  },
  {
    name: 'empty `from` and `ports` lists match everything, like absent ones',
    policies: [webFrom('allow-empty-lists', [{ from: [], ports: [] }])],
    flow: ['team-b/client', 'team-a/web', 1234],
    egress: open,
    ingress: { verdict: 'allowed', allowedBy: ['team-a/allow-empty-lists ingress[0]'] },
  },

  // --- peers ---------------------------------------------------------------------------------
  {
    name: 'podSelector alone selects pods in the policy namespace',
    policies: [webFrom('allow-frontend', [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }] }])],
    flow: ['team-a/frontend', 'team-a/web', 8080],
    egress: open,
    ingress: { verdict: 'allowed', allowedBy: ['team-a/allow-frontend ingress[0] peer 0'], reason: ['from podSelector app=frontend, any port'] },
  },
  {
    name: 'podSelector alone does not reach a same-labelled pod of another namespace',
    policies: [webFrom('allow-frontend', [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }] }])],
    flow: ['team-b/frontend', 'team-a/web', 8080],
    egress: open,
    ingress: { verdict: 'denied', reason: ['without a namespaceSelector it selects only pods in team-a, and team-b/frontend is in team-b'] },
  },
  {
    name: 'empty podSelector alone selects every pod of the policy namespace',
    policies: [webFrom('allow-same-ns', [{ from: [{ podSelector: {} }] }])],
    flow: ['team-a/client', 'team-a/web', 8080],
    egress: open,
    ingress: { verdict: 'allowed', allowedBy: ['team-a/allow-same-ns ingress[0] peer 0'], reason: ['podSelector {} (every pod in team-a)'] },
  },
  {
    name: 'empty podSelector alone does not select pods of other namespaces',
    policies: [webFrom('allow-same-ns', [{ from: [{ podSelector: {} }] }])],
    flow: ['team-b/client', 'team-a/web', 8080],
    egress: open,
    ingress: { verdict: 'denied' },
  },
  {
    name: 'namespaceSelector alone selects every pod of matching namespaces',
    policies: [webFrom('allow-team-b', [{ from: [{ namespaceSelector: { matchLabels: { team: 'b' } } }] }])],
    flow: ['team-b/frontend', 'team-a/web', 8080],
    egress: open,
    ingress: { verdict: 'allowed', allowedBy: ['team-a/allow-team-b ingress[0] peer 0'] },
  },
  {
    name: 'namespaceSelector alone does not select the policy namespace unless it matches',
    policies: [webFrom('allow-team-b', [{ from: [{ namespaceSelector: { matchLabels: { team: 'b' } } }] }])],
    flow: ['team-a/client', 'team-a/web', 8080],
    egress: open,
    ingress: { verdict: 'denied', reason: ['namespace team-a does not match the namespaceSelector (it has team=a, not team=b)'] },
  },
  {
    name: 'empty namespaceSelector selects pods of every namespace',
    policies: [webFrom('allow-cluster', [{ from: [{ namespaceSelector: {} }] }])],
    flow: ['team-b/client', 'team-a/web', 8080],
    egress: open,
    ingress: { verdict: 'allowed', reason: ['namespaceSelector {} (every namespace)'] },
  },
  {
    name: 'namespaceSelector AND podSelector in one peer: both must match (pod matches, namespace does)',
    policies: [webFrom('allow-b-clients', [{ from: [{ namespaceSelector: { matchLabels: { team: 'b' } }, podSelector: { matchLabels: { app: 'client' } } }] }])],
    flow: ['team-b/client', 'team-a/web', 8080],
    egress: open,
    ingress: { verdict: 'allowed', allowedBy: ['team-a/allow-b-clients ingress[0] peer 0'], reason: ['namespaceSelector team=b and podSelector app=client'] },
  },
  {
    name: 'namespaceSelector AND podSelector in one peer: the right namespace is not enough',
    policies: [webFrom('allow-b-clients', [{ from: [{ namespaceSelector: { matchLabels: { team: 'b' } }, podSelector: { matchLabels: { app: 'client' } } }] }])],
    flow: ['team-b/frontend', 'team-a/web', 8080],
    egress: open,
    ingress: { verdict: 'denied', reason: ['team-b/frontend does not match the podSelector (it has app=frontend, not app=client)'] },
  },
  {
    name: 'namespaceSelector AND podSelector in one peer: the right labels are not enough',
    policies: [webFrom('allow-b-clients', [{ from: [{ namespaceSelector: { matchLabels: { team: 'b' } }, podSelector: { matchLabels: { app: 'client' } } }] }])],
    flow: ['team-a/client', 'team-a/web', 8080],
    egress: open,
    ingress: { verdict: 'denied' },
  },
  {
    name: 'namespaceSelector and podSelector as two peers OR: the namespace alone is enough',
    policies: [webFrom('allow-b-or-clients', [{ from: [{ namespaceSelector: { matchLabels: { team: 'b' } } }, { podSelector: { matchLabels: { app: 'client' } } }] }])],
    flow: ['team-b/frontend', 'team-a/web', 8080],
    egress: open,
    ingress: { verdict: 'allowed', allowedBy: ['team-a/allow-b-or-clients ingress[0] peer 0'] },
  },
  {
    name: 'namespaceSelector and podSelector as two peers OR: the labels alone are enough (second peer)',
    policies: [webFrom('allow-b-or-clients', [{ from: [{ namespaceSelector: { matchLabels: { team: 'b' } } }, { podSelector: { matchLabels: { app: 'client' } } }] }])],
    flow: ['team-a/client', 'team-a/web', 8080],
    egress: open,
    ingress: { verdict: 'allowed', allowedBy: ['team-a/allow-b-or-clients ingress[0] peer 1'] },
  },
  {
    name: 'empty namespaceSelector with a podSelector: matching pods of every namespace',
    policies: [webFrom('allow-clients-anywhere', [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'client' } } }] }])],
    flow: ['team-b/frontend', 'team-a/web', 8080],
    egress: open,
    ingress: { verdict: 'denied' },
  },
  {
    name: 'matchExpressions in a peer selector',
    policies: [webFrom('allow-not-frontend', [{ from: [{ podSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['frontend'] }] } }] }])],
    flow: ['team-a/frontend', 'team-a/web', 8080],
    egress: open,
    ingress: { verdict: 'denied', reason: ['podSelector app notin (frontend)', 'it has app=frontend'] },
  },

  // --- ipBlock -------------------------------------------------------------------------------
  {
    name: 'ipBlock (IPv4) admits an address in its CIDR',
    policies: [webFrom('allow-office', [{ from: [{ ipBlock: { cidr: '192.168.0.0/16', except: ['192.168.5.0/24'] } }] }])],
    flow: ['192.168.1.7', 'team-a/web', 8080],
    egress: { verdict: 'not-applicable', reason: ['the source 192.168.1.7 is not a pod'] },
    ingress: { verdict: 'allowed', allowedBy: ['team-a/allow-office ingress[0] peer 0'], reason: ['from ipBlock 192.168.0.0/16 except 192.168.5.0/24'] },
  },
  {
    name: 'ipBlock (IPv4) except carves out a range',
    policies: [webFrom('allow-office', [{ from: [{ ipBlock: { cidr: '192.168.0.0/16', except: ['192.168.5.0/24'] } }] }])],
    flow: ['192.168.5.7', 'team-a/web', 8080],
    egress: na,
    ingress: { verdict: 'denied', reason: ['192.168.5.7 is in the except 192.168.5.0/24'] },
  },
  {
    name: 'ipBlock (IPv6) admits an address in its CIDR',
    policies: [webFrom('allow-v6', [{ from: [{ ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:bad::/48'] } }] }])],
    flow: ['2001:db8:1::5', 'team-a/web', 8080],
    egress: na,
    ingress: { verdict: 'allowed', allowedBy: ['team-a/allow-v6 ingress[0] peer 0'] },
  },
  {
    name: 'ipBlock (IPv6) except carves out a range',
    policies: [webFrom('allow-v6', [{ from: [{ ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:bad::/48'] } }] }])],
    flow: ['2001:db8:bad::5', 'team-a/web', 8080],
    egress: na,
    ingress: { verdict: 'denied', reason: ['2001:db8:bad::5 is in the except 2001:db8:bad::/48'] },
  },
  {
    name: 'an IPv6 ipBlock never matches an IPv4 address',
    policies: [webFrom('allow-v6', [{ from: [{ ipBlock: { cidr: '::/0' } }] }])],
    flow: ['192.168.1.7', 'team-a/web', 8080],
    egress: na,
    ingress: { verdict: 'denied', reason: ['192.168.1.7 is outside ::/0'] },
  },
  {
    name: 'ipBlock matches a pod by the address it sends from (implementation-defined; we match)',
    policies: [webFrom('allow-n2-pods', [{ from: [{ ipBlock: { cidr: '10.244.2.0/24' } }] }])],
    flow: ['team-a/frontend', 'team-a/web', 8080],
    egress: open,
    ingress: { verdict: 'allowed', allowedBy: ['team-a/allow-n2-pods ingress[0] peer 0'] },
  },
  {
    name: 'selectors never match an address that is not a pod, even `namespaceSelector: {}`',
    policies: [webFrom('allow-cluster', [{ from: [{ namespaceSelector: {} }] }])],
    flow: ['198.51.100.7', 'team-a/web', 8080],
    egress: na,
    ingress: { verdict: 'denied', reason: ['198.51.100.7 is not a pod, and only an ipBlock matches'] },
  },
  {
    name: 'ingress after SNAT to another node: the node IP is seen, selectors miss it',
    policies: [webFrom('allow-cluster', [{ from: [{ namespaceSelector: {} }] }])],
    flow: [nodeIP.n2, 'team-a/web', 8080],
    egress: na,
    ingress: { verdict: 'denied', isolatedBy: ['team-a/allow-cluster'], reason: [`${nodeIP.n2} is not a pod`] },
  },
  {
    name: 'ingress after SNAT to another node: an ipBlock of the node range admits it',
    policies: [webFrom('allow-nodes', [{ from: [{ ipBlock: { cidr: '172.18.0.0/16' } }] }])],
    flow: [nodeIP.n2, 'team-a/web', 8080],
    egress: na,
    ingress: { verdict: 'allowed', allowedBy: ['team-a/allow-nodes ingress[0] peer 0'] },
  },

  // --- ports ---------------------------------------------------------------------------------
  {
    name: 'named port (ingress) resolves on the receiving pod',
    policies: [webFrom('allow-http', [{ ports: [{ port: 'http' }] }])],
    flow: ['team-a/frontend', 'team-a/web', 8080],
    egress: open,
    ingress: { verdict: 'allowed', allowedBy: ['team-a/allow-http ingress[0] port 0'], reason: ['port http/TCP = 8080'] },
  },
  {
    name: 'named port (ingress) does not match another port of the pod',
    policies: [webFrom('allow-http', [{ ports: [{ port: 'http' }] }])],
    flow: ['team-a/frontend', 'team-a/web', 9090],
    egress: open,
    ingress: { verdict: 'denied', reason: ['admits the source (any source) but not 9090/TCP (it allows http/TCP = 8080 on team-a/web)'] },
  },
  {
    name: 'named port (egress) resolves on the destination pod, not the sender',
    policies: [np('team-a/frontend-out', { podSelector: { matchLabels: { app: 'frontend' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http' }] }] })],
    flow: ['team-a/frontend', 'team-a/web', 8080],
    egress: { verdict: 'allowed', allowedBy: ['team-a/frontend-out egress[0] port 0'], reason: ['to any destination, port http/TCP = 8080'] },
    ingress: open,
  },
  {
    name: 'named port (egress): the sender’s own number for the name does not count',
    policies: [np('team-a/frontend-out', { podSelector: { matchLabels: { app: 'frontend' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http' }] }] })],
    flow: ['team-a/frontend', 'team-a/web', 3000],
    egress: { verdict: 'denied' },
    ingress: open,
  },
  {
    name: 'named port to a destination that is not a pod matches nothing',
    policies: [np('team-a/frontend-out', { podSelector: { matchLabels: { app: 'frontend' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http' }] }] })],
    flow: ['team-a/frontend', '203.0.113.9', 8080],
    egress: { verdict: 'denied', reason: ['the destination 203.0.113.9 is not a pod, so a named port matches nothing'] },
    ingress: { verdict: 'not-applicable', reason: ['the destination 203.0.113.9 is not a pod'] },
  },
  {
    name: 'named port must exist with the rule’s protocol',
    policies: [webFrom('allow-diameter-tcp', [{ ports: [{ port: 'diameter' }] }])],
    flow: ['team-a/frontend', 'team-a/web', 3868],
    egress: open,
    ingress: { verdict: 'denied', reason: ['team-a/web has no TCP container port named diameter'] },
  },
  {
    name: 'endPort: the first port of the range',
    policies: [webFrom('allow-range', [{ ports: [{ port: 8000, endPort: 8100 }] }])],
    flow: ['team-a/frontend', 'team-a/web', 8000],
    egress: open,
    ingress: { verdict: 'allowed', reason: ['port 8000-8100/TCP'] },
  },
  {
    name: 'endPort: the last port of the range',
    policies: [webFrom('allow-range', [{ ports: [{ port: 8000, endPort: 8100 }] }])],
    flow: ['team-a/frontend', 'team-a/web', 8100],
    egress: open,
    ingress: { verdict: 'allowed' },
  },
  {
    name: 'endPort: one past the range',
    policies: [webFrom('allow-range', [{ ports: [{ port: 8000, endPort: 8100 }] }])],
    flow: ['team-a/frontend', 'team-a/web', 8101],
    egress: open,
    ingress: { verdict: 'denied', reason: ['it allows 8000-8100/TCP'] },
  },
  {
    name: 'protocol defaults to TCP: a UDP flow misses a port without protocol',
    policies: [webFrom('allow-53', [{ ports: [{ port: 53 }] }])],
    flow: ['team-a/frontend', 'team-a/web', 53, 'UDP'],
    egress: open,
    ingress: { verdict: 'denied', reason: ['53/TCP (protocol defaults to TCP)'] },
  },
  {
    name: 'protocol defaults to TCP: a TCP flow matches a port without protocol',
    policies: [webFrom('allow-53', [{ ports: [{ port: 53 }] }])],
    flow: ['team-a/frontend', 'team-a/web', 53, 'TCP'],
    egress: open,
    ingress: { verdict: 'allowed' },
  },
  {
    name: 'SCTP: a numeric SCTP port',
    policies: [webFrom('allow-sctp', [{ ports: [{ protocol: 'SCTP', port: 3868 }] }])],
    flow: ['team-a/frontend', 'team-a/web', 3868, 'SCTP'],
    egress: open,
    ingress: { verdict: 'allowed', reason: ['port 3868/SCTP'] },
  },
  {
    name: 'SCTP: a TCP flow to the same number misses',
    policies: [webFrom('allow-sctp', [{ ports: [{ protocol: 'SCTP', port: 3868 }] }])],
    flow: ['team-a/frontend', 'team-a/web', 3868, 'TCP'],
    egress: open,
    ingress: { verdict: 'denied' },
  },
  {
    name: 'SCTP: a named SCTP port',
    policies: [webFrom('allow-diameter', [{ ports: [{ protocol: 'SCTP', port: 'diameter' }] }])],
    flow: ['team-a/frontend', 'team-a/web', 3868, 'SCTP'],
    egress: open,
    ingress: { verdict: 'allowed', reason: ['port diameter/SCTP = 3868'] },
  },
  {
    name: 'a port entry with only a protocol matches every port of it',
    policies: [webFrom('allow-udp', [{ ports: [{ protocol: 'UDP' }] }])],
    flow: ['team-a/frontend', 'team-a/web', 40000, 'UDP'],
    egress: open,
    ingress: { verdict: 'allowed', reason: ['every UDP port'] },
  },
  {
    name: 'a port entry with only a protocol does not match another protocol',
    policies: [webFrom('allow-udp', [{ ports: [{ protocol: 'UDP' }] }])],
    flow: ['team-a/frontend', 'team-a/web', 40000, 'TCP'],
    egress: open,
    ingress: { verdict: 'denied' },
  },
  {
    name: 'a rule needs peer AND port: the peer alone is not enough',
    policies: [webFrom('allow-frontend-8080', [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }], ports: [{ port: 8080 }] }])],
    flow: ['team-a/frontend', 'team-a/web', 9090],
    egress: open,
    ingress: { verdict: 'denied', reason: ['team-a/allow-frontend-8080: ingress rule 1 admits the source (podSelector app=frontend) but not 9090/TCP (it allows 8080/TCP)'] },
  },
  {
    name: 'a rule needs peer AND port: the port alone is not enough',
    policies: [webFrom('allow-frontend-8080', [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }], ports: [{ port: 8080 }] }])],
    flow: ['team-a/client', 'team-a/web', 8080],
    egress: open,
    ingress: { verdict: 'denied', reason: ['ingress rule 1 allows port 8080/TCP but not the source (podSelector app=frontend: team-a/client does not match the podSelector (it has app=client, not app=frontend))'] },
  },

  // --- several policies and rules ------------------------------------------------------------
  {
    name: 'policies OR: the second policy allows what the first does not',
    policies: [
      webFrom('allow-frontend', [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }], ports: [{ port: 8080 }] }]),
      webFrom('allow-client-metrics', [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }], ports: [{ port: 9090 }] }]),
    ],
    flow: ['team-a/client', 'team-a/web', 9090],
    egress: open,
    ingress: { verdict: 'allowed', isolatedBy: ['team-a/allow-client-metrics', 'team-a/allow-frontend'], allowedBy: ['team-a/allow-client-metrics ingress[0] peer 0 port 0'] },
  },
  {
    name: 'policies OR: a denial names each isolating policy and its closest miss',
    policies: [
      webFrom('allow-frontend', [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }], ports: [{ port: 8080 }] }]),
      webFrom('allow-client-metrics', [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }], ports: [{ port: 9090 }] }]),
    ],
    flow: ['team-a/frontend', 'team-a/web', 9090],
    egress: open,
    ingress: {
      verdict: 'denied',
      isolatedBy: ['team-a/allow-client-metrics', 'team-a/allow-frontend'],
      reason: [
        'isolated for ingress by team-a/allow-client-metrics and team-a/allow-frontend',
        'team-a/allow-client-metrics: ingress rule 1 allows port 9090/TCP but not the source',
        'team-a/allow-frontend: ingress rule 1 admits the source (podSelector app=frontend) but not 9090/TCP',
      ],
    },
  },
  {
    name: 'rules OR within a policy, and every allowing rule is reported',
    policies: [
      webFrom('two-rules', [{ ports: [{ port: 9090 }] }, { from: [{ podSelector: { matchLabels: { app: 'client' } } }] }]),
      webFrom('allow-all-in', [{}]),
    ],
    flow: ['team-a/client', 'team-a/web', 9090],
    egress: open,
    ingress: { verdict: 'allowed', allowedBy: ['team-a/allow-all-in ingress[0]', 'team-a/two-rules ingress[0] port 0', 'team-a/two-rules ingress[1] peer 0'] },
  },
  {
    name: 'the closest miss among several rules is the one whose peer matched',
    policies: [webFrom('two-rules', [{ from: [{ podSelector: { matchLabels: { app: 'nobody' } } }], ports: [{ port: 1 }] }, { from: [{ podSelector: { matchLabels: { app: 'client' } } }], ports: [{ port: 8080 }] }])],
    flow: ['team-a/client', 'team-a/web', 9090],
    egress: open,
    ingress: { verdict: 'denied', reason: ['none of its 2 ingress rules matches; closest, ingress rule 2, admits the source (podSelector app=client) but not 9090/TCP'] },
  },

  // --- hostNetwork, nodes, self ---------------------------------------------------------------
  {
    name: 'a hostNetwork pod is outside policy as a receiver',
    policies: [denyIngress('kube-system')],
    flow: ['team-a/frontend', 'kube-system/agent-n2', 8080],
    egress: open,
    ingress: { verdict: 'not-applicable', reason: ['kube-system/agent-n2 uses hostNetwork'] },
  },
  {
    name: 'a hostNetwork pod is outside policy as a sender',
    policies: [denyEgress('kube-system')],
    flow: ['kube-system/agent-n2', 'team-a/web', 8080],
    egress: { verdict: 'not-applicable', reason: ['kube-system/agent-n2 uses hostNetwork'] },
    ingress: open,
  },
  {
    name: 'a hostNetwork pod as a peer is its node: selectors miss it even when they select all',
    policies: [webFrom('allow-all-pods', [{ from: [{ namespaceSelector: {}, podSelector: {} }] }])],
    flow: ['kube-system/agent-n2', 'team-a/web', 8080],
    egress: na,
    ingress: { verdict: 'denied', reason: [`kube-system/agent-n2 uses hostNetwork, so policy sees its node's address ${nodeIP.n2}, which only an ipBlock can match`] },
  },
  {
    name: 'a hostNetwork pod as a peer is matched by an ipBlock of its node address',
    policies: [webFrom('allow-nodes', [{ from: [{ ipBlock: { cidr: `${nodeIP.n2}/32` } }] }])],
    flow: ['kube-system/agent-n2', 'team-a/web', 8080],
    egress: na,
    ingress: { verdict: 'allowed', allowedBy: ['team-a/allow-nodes ingress[0] peer 0'] },
  },
  {
    name: 'egress to a hostNetwork pod on another node is egress to that node',
    policies: [np('team-a/frontend-to-pods', { podSelector: { matchLabels: { app: 'frontend' } }, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {} }] }] })],
    flow: ['team-a/frontend', 'kube-system/agent-n1', 8080],
    egress: { verdict: 'denied', reason: ['kube-system/agent-n1 uses hostNetwork'] },
    ingress: na,
  },
  {
    name: 'ingress from the pod’s own node is always allowed (node IP, e.g. kubelet probes or SNAT on the same node)',
    policies: [denyAll],
    flow: [nodeIP.n1, 'team-a/web', 8080],
    egress: na,
    ingress: { verdict: 'allowed', isolatedBy: ['team-a/deny-all'], allowedBy: [], exemption: 'local-node', reason: [`${nodeIP.n1} is an address of n1, the node team-a/web runs on`, 'always allowed'] },
  },
  {
    name: 'ingress from a hostNetwork pod on the pod’s own node is node traffic, always allowed',
    policies: [denyAll],
    flow: ['kube-system/agent-n1', 'team-a/web', 8080],
    egress: na,
    ingress: { verdict: 'allowed', allowedBy: [], exemption: 'local-node', reason: ['shares the network of n1'] },
  },
  {
    name: 'egress to the pod’s own node is always allowed',
    policies: [denyAll],
    flow: ['team-a/web', nodeIP.n1, 10250],
    egress: { verdict: 'allowed', allowedBy: [], exemption: 'local-node' },
    ingress: na,
  },
  {
    name: 'a pod cannot block traffic to itself',
    policies: [denyAll],
    flow: ['team-a/web', 'team-a/web', 8080],
    egress: { verdict: 'allowed', isolatedBy: ['team-a/deny-all'], allowedBy: [], exemption: 'self', reason: ['a pod cannot block traffic to itself'] },
    ingress: { verdict: 'allowed', isolatedBy: ['team-a/deny-all'], allowedBy: [], exemption: 'self' },
  },
  {
    name: 'a rule that allows self traffic is reported rather than the exemption',
    policies: [webFrom('allow-web', [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }])],
    flow: ['team-a/web', 'team-a/web', 8080],
    egress: open,
    ingress: { verdict: 'allowed', allowedBy: ['team-a/allow-web ingress[0] peer 0'] },
  },
];

function check(actual: DirectionVerdict, expected: Expected): void {
  expect(actual.verdict).toBe(expected.verdict);
  if (expected.isolatedBy) expect(names(actual)).toEqual(expected.isolatedBy);
  if (expected.allowedBy) expect(actual.allowedBy.map(refText)).toEqual(expected.allowedBy);
  expect(actual.exemption).toBe(expected.exemption);
  for (const part of expected.reason ?? []) expect(actual.reason).toContain(part);
  if (expected.verdict !== 'allowed') expect(actual.allowedBy).toEqual([]);
  if (expected.verdict === 'not-isolated' || expected.verdict === 'not-applicable') expect(actual.isolatedBy).toEqual([]);
}

describe('evaluatePolicy (networking.k8s.io/v1 semantics)', () => {
  it.each(cases)('$name', ({ policies, flow: [from, to, port, protocol], egress, ingress }) => {
    const verdict = evaluatePolicy(topology, flowOf(topology, from, to, port, protocol), { policies: policies.map((p) => policyRecordFrom(p)) });
    check(verdict.egress, egress);
    check(verdict.ingress, ingress);
    expect(verdict.isAllowed).toBe(egress.verdict !== 'denied' && ingress.verdict !== 'denied');
  });

  it('reads the topology’s own policies when none are given', () => {
    const withDeny = derive({ ...emptyObjects(), nodes, namespaces, pods, networkPolicies: [denyAll] });
    const verdict = evaluatePolicy(withDeny, flowOf(withDeny, 'team-a/frontend', 'team-a/web', 8080));
    expect(verdict.isAllowed).toBe(false);
    expect(names(verdict.ingress)).toEqual(['team-a/deny-all']);
    expect(evaluatePolicy(withDeny, flowOf(withDeny, 'team-a/frontend', 'team-a/web', 8080), { policies: [] }).isAllowed).toBe(true);
  });
});

describe('withPolicies', () => {
  const base = derive({
    ...emptyObjects(),
    nodes,
    namespaces,
    pods,
    networkPolicies: [denyAll, np('team-b/deny-all', { policyTypes: ['Ingress'] }), webFrom('allow-frontend', [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }] }])],
  });

  it('replaces a policy of the same namespace/name in place and adds the others', () => {
    const replacement = policyRecordFrom(np('team-a/deny-all', { policyTypes: ['Egress'] }));
    const added = policyRecordFrom(np('team-b/allow-all', { ingress: [{}] }));
    const result = withPolicies(base, [replacement, added]);
    expect(result.map((p) => `${p.namespace}/${p.name}`)).toEqual(['team-a/deny-all', 'team-b/deny-all', 'team-a/allow-frontend', 'team-b/allow-all']);
    expect(result[0]).toBe(replacement);
    expect(result[0]?.policyTypes).toEqual(['Egress']);
    // The topology itself is untouched.
    expect(base.policies['netpol:team-a/deny-all']?.policyTypes).toEqual(['Ingress', 'Egress']);
  });

  it('does not confuse equal names in different namespaces', () => {
    const result = withPolicies(base, [policyRecordFrom(np('team-b/deny-all', { policyTypes: ['Egress'] }))]);
    expect(result).toHaveLength(3);
    expect(result.find((p) => p.namespace === 'team-a' && p.name === 'deny-all')?.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(result.find((p) => p.namespace === 'team-b' && p.name === 'deny-all')?.policyTypes).toEqual(['Egress']);
  });

  it('drives a what-if evaluation', () => {
    const flow = flowOf(base, 'team-a/client', 'team-a/web', 8080);
    expect(evaluatePolicy(base, flow).ingress.verdict).toBe('denied');
    const whatIf = withPolicies(base, [policyRecordFrom(webFrom('allow-frontend', [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }] }]))]);
    const verdict = evaluatePolicy(base, flow, { policies: whatIf });
    expect(verdict.ingress.verdict).toBe('allowed');
    expect(verdict.ingress.allowedBy.map(refText)).toEqual(['team-a/allow-frontend ingress[0] peer 0']);
  });
});

describe('policyRecordFrom', () => {
  it('makes the record derive makes, with the implicit policyTypes', () => {
    const manifest = np('team-a/web-out', { podSelector: { matchLabels: { app: 'web' } }, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 443 }] }] });
    const record = policyRecordFrom(manifest);
    expect(record).toEqual(derive({ ...emptyObjects(), networkPolicies: [manifest] }).policies['netpol:team-a/web-out']);
    expect(record).toMatchObject({ id: 'netpol:team-a/web-out', kind: 'policy', name: 'web-out', namespace: 'team-a', policyTypes: ['Ingress', 'Egress'] });
    expect(record.spec).toEqual(manifest.spec);
    expect(policyRecordFrom(np('team-a/in', { ingress: [] })).policyTypes).toEqual(['Ingress']);
    expect(policyRecordFrom(np('team-a/out-only', { policyTypes: ['Egress'] })).policyTypes).toEqual(['Egress']);
  });

  it('defaults policyTypes as the API server does: an empty list is absent, and `egress: []` is no egress rule', () => {
    expect(policyRecordFrom(np('team-a/empty-out', { egress: [] })).policyTypes).toEqual(['Ingress']);
    expect(policyRecordFrom(np('team-a/empty-types', { policyTypes: [], egress: [{}] })).policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policyRecordFrom(np('team-a/empty-both', { policyTypes: [] })).policyTypes).toEqual(['Ingress']);
  });

  it('puts a manifest without a namespace in the given one', () => {
    const manifest: NetworkPolicy = { metadata: { name: 'deny', uid: '' }, spec: { podSelector: {} } };
    expect(policyRecordFrom(manifest, 'team-b')).toMatchObject({ id: 'netpol:team-b/deny', namespace: 'team-b' });
    expect(policyRecordFrom({ ...manifest, metadata: { ...manifest.metadata, namespace: 'team-a' } }, 'team-b').namespace).toBe('team-a');
  });
});

// --- the demo cluster -------------------------------------------------------------------------

describe('the demo cluster (shop: default-deny-all plus allow policies)', () => {
  const snapshot = parseSnapshot(readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));
  const demo = derive(snapshot.objects, snapshot.source);
  const evaluate = (from: string, to: string, port: number, protocol: Protocol = 'TCP') => evaluatePolicy(demo, flowOf(demo, from, to, port, protocol));
  const frontend = 'shop/frontend-855456765f-6r8k4';
  const backend = 'shop/backend-7fdd4dc6cd-rmptj';
  const db = 'shop/db-0';

  it('allows frontend → backend on http by frontend-allow (egress) and backend-allow (ingress)', () => {
    const verdict = evaluate(frontend, backend, 8080);
    expect(verdict.isAllowed).toBe(true);
    check(verdict.egress, {
      verdict: 'allowed',
      isolatedBy: ['shop/allow-dns-egress', 'shop/default-deny-all', 'shop/frontend-allow'],
      allowedBy: ['shop/frontend-allow egress[0] peer 0 port 0'],
      reason: ['allowed by shop/frontend-allow egress rule 1 (to podSelector app=backend, port http/TCP = 8080)'],
    });
    check(verdict.ingress, {
      verdict: 'allowed',
      isolatedBy: ['shop/backend-allow', 'shop/default-deny-all'],
      allowedBy: ['shop/backend-allow ingress[0] peer 0 port 0'],
      reason: ['allowed by shop/backend-allow ingress rule 1 (from podSelector app=frontend, port http/TCP = 8080)'],
    });
  });

  it('denies frontend → backend metrics: the named port http is 8080, not 9090', () => {
    const verdict = evaluate(frontend, backend, 9090);
    expect(verdict.isAllowed).toBe(false);
    check(verdict.egress, { verdict: 'denied', reason: ['shop/frontend-allow: egress rule 1 admits the destination (podSelector app=backend) but not 9090/TCP (it allows http/TCP = 8080 on shop/backend-7fdd4dc6cd-rmptj)'] });
    check(verdict.ingress, { verdict: 'denied' });
  });

  it('denies frontend → db both ways, naming the policies that isolate each end', () => {
    const verdict = evaluate(frontend, db, 5432);
    expect(verdict.isAllowed).toBe(false);
    check(verdict.egress, { verdict: 'denied', isolatedBy: ['shop/allow-dns-egress', 'shop/default-deny-all', 'shop/frontend-allow'], reason: ['shop/default-deny-all: it has no egress rules'] });
    check(verdict.ingress, {
      verdict: 'denied',
      isolatedBy: ['shop/db-allow', 'shop/default-deny-all'],
      reason: ['shop/db-allow: ingress rule 1 allows port 5432/TCP but not the source'],
    });
  });

  it('allows backend → db on 5432 by backend-allow and db-allow', () => {
    const verdict = evaluate(backend, db, 5432);
    expect(verdict.isAllowed).toBe(true);
    expect(verdict.egress.allowedBy.map(refText)).toEqual(['shop/backend-allow egress[0] peer 0 port 0']);
    expect(verdict.ingress.allowedBy.map(refText)).toEqual(['shop/db-allow ingress[0] peer 0 port 0']);
  });

  it('allows DNS to CoreDNS over UDP by allow-dns-egress; kube-system is not isolated', () => {
    const verdict = evaluate(frontend, 'kube-system/coredns-5744c7fcc4-rhd54', 53, 'UDP');
    check(verdict.egress, { verdict: 'allowed', allowedBy: ['shop/allow-dns-egress egress[0] peer 0 port 0'], reason: ['namespaceSelector kubernetes.io/metadata.name=kube-system and podSelector k8s-app=kube-dns'] });
    check(verdict.ingress, { verdict: 'not-isolated' });
  });

  it('allows the ingress controller → frontend by frontend-allow', () => {
    const verdict = evaluate('ingress-nginx/ingress-nginx-controller-587959c5b5-twljb', frontend, 8080);
    check(verdict.egress, { verdict: 'not-isolated' });
    check(verdict.ingress, { verdict: 'allowed', allowedBy: ['shop/frontend-allow ingress[0] peer 0 port 0'] });
  });

  it('lets a hostNetwork pod reach db-0 on its own node only', () => {
    // db-0 runs on demo-worker-1, as do node-exporter-lsmxt; node-exporter-n82m4 is on demo-worker-2.
    check(evaluate('monitoring/node-exporter-lsmxt', db, 5432).ingress, { verdict: 'allowed', exemption: 'local-node', allowedBy: [] });
    check(evaluate('monitoring/node-exporter-n82m4', db, 5432).ingress, { verdict: 'denied' });
  });
});
