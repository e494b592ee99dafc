/**
 * Cilium's policy enforcement modes, a table per mode, on the CNI policy tests' cluster with Cilium
 * as its CNI (test/fixtures/cni-policies/cilium-agent.yaml). The sources, cilium/cilium:
 * - `enable-policy` in cilium-config: pkg/option/config.go (`EnablePolicy`, values default,
 *   always, never); pkg/policy/repository.go computePolicyEnforcementAndRules (always: enforced in
 *   both directions whatever selects the endpoint; never: in neither);
 *   Documentation/security/policy/intro.rst, "Policy Enforcement Modes".
 * - `allow-localhost`: pkg/option/config.go (`AllowLocalhost`, auto/always/policy; the agent makes
 *   auto always under Kubernetes, daemon/cmd/daemon.go) and pkg/policy/mapstate.go
 *   determineAllowLocalhostIngress (the local host may always reach the endpoint on ingress).
 * The trimmer keeps neither key today (shared/kube/trim/core.ts), so the table sets them on the
 * trimmed ConfigMap, as a cluster's API serves them.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDocuments } from '../../kube/documents.ts';
import { mergeObjects, objectsFromDocuments } from '../../kube/manifests.ts';
import type { CniInfo } from '../../model/cluster.ts';
import type { Topology } from '../../model/types.ts';
import { derive } from '../../topology/derive.ts';
import { evaluatePolicy } from '../evaluate.ts';
import type { PolicyEndpoint } from '../types.ts';

const fixture = (name: string) => readFileSync(new URL(`../../../test/fixtures/cni-policies/${name}`, import.meta.url), 'utf8');
const objectsOf = (text: string, source: string) => objectsFromDocuments(parseDocuments(text, source), source).objects;
const cluster = objectsOf(fixture('cluster.yaml'), 'cluster.yaml');
const agent = objectsOf(fixture('cilium-agent.yaml'), 'cilium-agent.yaml');

/** The cluster with Cilium, its cilium-config holding `config` (null: cilium-config not readable). */
function topologyWith(config: Record<string, string> | null, yaml: string): Topology {
  const objects = structuredClone(mergeObjects([cluster, agent, objectsOf(yaml, 'case.yaml')]));
  if (config === null) objects.configMaps = objects.configMaps.filter((cm) => cm.metadata.name !== 'cilium-config');
  for (const cm of objects.configMaps) if (cm.metadata.name === 'cilium-config') cm.data = { ...cm.data, ...config };
  return derive(objects);
}

function endpoint(topology: Topology, name: string): PolicyEndpoint {
  if (!name.includes('/')) return { pod: null, ip: name };
  const pod = Object.values(topology.pods).find((p) => `${p.namespace}/${p.name}` === name);
  if (!pod) throw new Error(`no pod ${name}`);
  return { pod, ip: pod.ips[0]! };
}

const cnp = (name: string, spec: string) => `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: ${name}\n  namespace: shop\nspec:\n${spec}\n---\n`;
const knp = (name: string, spec: string) => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ${name}\n  namespace: shop\nspec:\n${spec}\n---\n`;
const webFromClient = cnp('web', '  endpointSelector: {matchLabels: {app: web}}\n  ingress:\n  - fromEndpoints:\n    - matchLabels: {app: client, k8s:io.kubernetes.pod.namespace: dev}\n');
const denyClient = cnp('deny-client', '  endpointSelector: {matchLabels: {app: web}}\n  ingressDeny:\n  - fromEndpoints:\n    - matchLabels: {k8s:io.kubernetes.pod.namespace: dev}\n');
const denyAllIngress = knp('deny-all', '  podSelector: {}\n  policyTypes: [Ingress]\n');

interface Case {
  name: string;
  yaml: string;
  from: string;
  to: string;
  port: number;
  direction: 'ingress' | 'egress';
  /** cilium-config keys besides enable-policy. */
  config?: Record<string, string>;
  verdict: 'allowed' | 'denied' | 'not-isolated';
  layer?: string;
  /** `section:rule` of the deciding rule, or `agent:<setting>` for the agent's own decision. */
  rule?: string;
  /** Each is part of the reason. */
  says?: string[];
  /** Part of the line. */
  line?: string;
}

const tables: { mode: string | null; about: string; cases: Case[] }[] = [
  {
    mode: 'default',
    about: 'default: enforced where a policy selects the endpoint (pkg/policy/repository.go, DefaultEnforcement)',
    cases: [
      { name: 'a pod no policy selects allows everything', yaml: '', from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'not-isolated' },
      { name: 'a CiliumNetworkPolicy selecting it allows X', yaml: webFromClient, from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'allowed', layer: 'cilium', rule: 'ingress:0' },
      { name: 'and denies Y by its default deny', yaml: webFromClient, from: 'shop/db', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'denied', layer: 'cilium', rule: 'default-deny:null' },
      { name: 'its egress stays open: the policy has no egress section', yaml: webFromClient, from: 'shop/web', to: 'shop/db', port: 5432, direction: 'egress', verdict: 'not-isolated' },
      { name: 'the node reaches its own pod through a default deny (allow-localhost)', yaml: cnp('db', '  endpointSelector: {matchLabels: {app: db}}\n  ingress:\n  - {}\n'), from: 'kube-system/agent', to: 'shop/db', port: 5432, direction: 'ingress', verdict: 'allowed', rule: 'agent:allow-localhost' },
    ],
  },
  {
    mode: 'always',
    about: 'always: every endpoint in default deny both ways (pkg/policy/repository.go, AlwaysEnforce)',
    cases: [
      { name: 'a pod no policy selects denies on ingress', yaml: '', from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'denied', layer: 'cilium', rule: 'agent:enable-policy: always', says: ['no policy selects it', 'enable-policy: always'], line: "Cilium's default deny (enable-policy: always)" },
      { name: 'and on egress', yaml: '', from: 'shop/web', to: 'shop/db', port: 5432, direction: 'egress', verdict: 'denied', rule: 'agent:enable-policy: always' },
      { name: 'a CiliumNetworkPolicy allows X', yaml: webFromClient, from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'allowed', layer: 'cilium', rule: 'ingress:0' },
      { name: 'Y is denied by the mode', yaml: webFromClient, from: 'shop/db', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'denied', rule: 'agent:enable-policy: always', says: ['no allow rule of the policies that select it matches'] },
      { name: 'a policy with ingress only leaves egress in default deny too', yaml: webFromClient, from: 'shop/web', to: 'shop/db', port: 5432, direction: 'egress', verdict: 'denied', rule: 'agent:enable-policy: always' },
      { name: 'enableDefaultDeny: false does not lift it', yaml: cnp('web', '  endpointSelector: {matchLabels: {app: web}}\n  enableDefaultDeny: {ingress: false}\n  ingress:\n  - fromEntities: [world]\n'), from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'denied', rule: 'agent:enable-policy: always' },
      { name: 'a Kubernetes NetworkPolicy still allows what it allows', yaml: knp('from-dev', '  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {env: dev}}\n'), from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'allowed', layer: 'networkpolicy' },
      { name: 'the node still reaches its own pod (allow-localhost)', yaml: '', from: 'kube-system/agent', to: 'shop/db', port: 5432, direction: 'ingress', verdict: 'allowed', rule: 'agent:allow-localhost', line: "Cilium's allow-localhost" },
      { name: 'but not under allow-localhost: policy', yaml: '', config: { 'allow-localhost': 'policy' }, from: 'kube-system/agent', to: 'shop/db', port: 5432, direction: 'ingress', verdict: 'denied', rule: 'agent:enable-policy: always' },
      { name: 'another node is not localhost', yaml: '', from: 'kube-system/agent', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'denied', rule: 'agent:enable-policy: always' },
    ],
  },
  {
    mode: 'never',
    about: 'never: nothing enforced, whatever selects the endpoint (pkg/policy/repository.go, NeverEnforce)',
    cases: [
      { name: 'a pod no policy selects allows everything, and says why it would anyway', yaml: '', from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'not-isolated', says: ['enable-policy: never'] },
      { name: 'an ingressDeny is not enforced', yaml: denyClient, from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'allowed', layer: 'cilium', says: ['enable-policy is never', 'neither its own nor Kubernetes NetworkPolicy', 'it would be denied'], line: 'Cilium enforces no policy (enable-policy: never)' },
      { name: 'nor a Kubernetes NetworkPolicy that isolates the pod', yaml: denyAllIngress, from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'allowed', layer: 'cilium', says: ['Kubernetes NetworkPolicy', 'it would be denied'] },
      { name: 'what enforcement would allow stays allowed, with the mode said', yaml: denyAllIngress, from: 'kube-system/agent', to: 'shop/db', port: 5432, direction: 'ingress', verdict: 'allowed', layer: 'networkpolicy', says: ['its own node', 'Cilium enforces no policy anyway (enable-policy: never)'] },
      { name: 'nor a default deny', yaml: webFromClient, from: 'shop/db', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'allowed', says: ['put the pod into default deny'] },
    ],
  },
  {
    mode: null,
    about: 'cilium-config not readable: default assumed, and said',
    cases: [
      { name: 'a pod no policy selects allows everything', yaml: '', from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'not-isolated', says: ['assumed default'] },
      { name: 'a CiliumNetworkPolicy\'s default deny holds', yaml: webFromClient, from: 'shop/db', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'denied', rule: 'default-deny:null', says: ['put the pod into default deny', 'assumed default'] },
      { name: 'a deny rule holds', yaml: denyClient, from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'denied', rule: 'ingressDeny:0', says: ['assumed default'] },
    ],
  },
];

for (const table of tables) {
  describe(`Cilium ${table.about}`, () => {
    it.each(table.cases)('$name', (c) => {
      const config = table.mode === null ? null : { 'enable-policy': table.mode, ...c.config };
      const topology = topologyWith(config, c.yaml);
      const verdict = evaluatePolicy(topology, { from: endpoint(topology, c.from), to: endpoint(topology, c.to), port: c.port, protocol: 'TCP' })[c.direction];
      expect(verdict.verdict, verdict.reason).toBe(c.verdict);
      if (c.layer) expect(verdict.layer).toBe(c.layer);
      if (c.rule?.startsWith('agent:')) expect(verdict.cniRule).toMatchObject({ policy: '', name: c.rule.slice('agent:'.length) });
      else if (c.rule) expect(`${verdict.cniRule?.section}:${verdict.cniRule?.rule}`).toBe(c.rule);
      for (const part of c.says ?? []) expect(verdict.reason).toContain(part);
      if (table.mode !== null) expect(verdict.reason).not.toContain('assumed');
      if (c.line) expect(verdict.line).toContain(c.line);
    });
  });
}

describe('the mode in the cluster facts', () => {
  const cases: { config: Record<string, string> | null; facts: NonNullable<CniInfo['ciliumPolicy']> }[] = [
    { config: { 'enable-policy': 'always' }, facts: { mode: 'always', isAssumed: false, isLocalhostAllowed: true } },
    { config: { 'enable-policy': 'never', 'allow-localhost': 'policy' }, facts: { mode: 'never', isAssumed: false, isLocalhostAllowed: false } },
    { config: { 'enable-policy': 'sometimes' }, facts: { mode: 'default', isAssumed: true, isLocalhostAllowed: true } },
    { config: null, facts: { mode: 'default', isAssumed: true, isLocalhostAllowed: true } },
  ];
  it.each(cases)('cilium-config $config', ({ config, facts }) => {
    const cni = topologyWith(config, '').cluster.cni;
    expect(cni.value.name).toBe('cilium');
    expect(cni.value.ciliumPolicy).toEqual(facts);
    if (facts.isAssumed) expect(cni.evidence.join('\n')).toMatch(/enable-policy .*: Cilium's default policy enforcement mode assumed/);
  });
});
