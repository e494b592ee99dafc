/**
 * Calico's service account matches (calico-match.ts names the sources): `serviceAccountSelector`
 * and `serviceAccounts.selector` decided by the account's name (`projectcalico.org/name`) and
 * unknown where they read the ServiceAccount's labels; `serviceAccounts.names` and the
 * `projectcalico.org/serviceaccount` label decided by the name; unknown while it is not read.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDocuments } from '../../kube/documents.ts';
import { objectsFromDocuments } from '../../kube/manifests.ts';
import type { Topology } from '../../model/types.ts';
import { derive } from '../../topology/derive.ts';
import { evaluatePolicy } from '../evaluate.ts';
import { topologyWith } from '../../../test/cni-policies/fixture.ts';
import { evaluateCalicoSelectorPartly, parseCalicoSelector } from './calico-selector.ts';

const gnp = (name: string, spec: string) => `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: ${name}\nspec:\n${spec}\n---\n`;
const np = (namespace: string, name: string, spec: string) => `apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:\n${spec}\n---\n`;

/** `accounts`: the service account of each pod, by `namespace/name`, as derive would set it. */
function verdict(yaml: string, accounts: Record<string, string>, from = 'dev/client', to = 'shop/web', port = 8080) {
  const topology: Topology = topologyWith(yaml);
  const pod = (name: string) => {
    const found = Object.values(topology.pods).find((p) => `${p.namespace}/${p.name}` === name);
    if (!found) throw new Error(`no pod ${name}`);
    return found;
  };
  for (const [name, account] of Object.entries(accounts)) pod(name).serviceAccount = account;
  const [source, target] = [pod(from), pod(to)];
  return evaluatePolicy(topology, { from: { pod: source, ip: source.ips[0]! }, to: { pod: target, ip: target.ips[0]! }, port, protocol: 'TCP' }).ingress;
}

describe('a selector with some labels unread', () => {
  const isUnread = (label: string) => label !== 'projectcalico.org/name';
  const cases: [string, boolean | null][] = [
    ["projectcalico.org/name == 'api'", true],
    ["projectcalico.org/name != 'api'", false],
    ["projectcalico.org/name in {'web', 'api'}", true],
    ["projectcalico.org/name not in {'web', 'api'}", false],
    ['has(projectcalico.org/name)', true],
    ['all()', true],
    ["role == 'front'", null],
    ["!has(role)", null],
    ["projectcalico.org/name == 'web' && role == 'front'", false],
    ["projectcalico.org/name == 'api' && role == 'front'", null],
    ["projectcalico.org/name == 'api' || role == 'front'", true],
    ["projectcalico.org/name == 'web' || role == 'front'", null],
    ["!(projectcalico.org/name == 'web' || role == 'front')", null],
  ];
  it.each(cases)('%s → %s', (text, expected) => {
    expect(evaluateCalicoSelectorPartly(parseCalicoSelector(text), { 'projectcalico.org/name': 'api' }, isUnread)).toBe(expected);
  });
});

describe('serviceAccountSelector: the policy applies to pods of the accounts it names', () => {
  const denyApi = (selector: string) => gnp('deny-api', `  selector: app == "web"\n  serviceAccountSelector: ${selector}\n  ingress:\n  - action: Deny\n`);

  it('selects the pod running as the named account: its Deny decides', () => {
    const v = verdict(denyApi(`projectcalico.org/name == 'api'`), { 'shop/web': 'api' });
    expect(v.verdict, v.reason).toBe('denied');
    expect(v.cniRule?.name).toBe('deny-api');
  });

  it('does not select a pod running as another account', () => {
    const v = verdict(denyApi(`projectcalico.org/name in {'api', 'admin'}`), { 'shop/web': 'default' });
    expect(v.verdict, v.reason).toBe('not-isolated');
  });

  it('rests on the ServiceAccount labels when the selector reads them: unknown, naming the account', () => {
    const v = verdict(denyApi(`role == 'frontend'`), { 'shop/web': 'api' });
    expect(v.verdict).toBe('unknown');
    expect(v.reason).toContain('ServiceAccount shop/api');
  });

  it('is decided by the name alone when the name rules the labels out', () => {
    const v = verdict(denyApi(`projectcalico.org/name == 'admin' && role == 'frontend'`), { 'shop/web': 'api' });
    expect(v.verdict, v.reason).toBe('not-isolated');
  });

  it('stays unknown while the pod’s account is not read', () => {
    const v = verdict(denyApi(`projectcalico.org/name == 'api'`), {});
    expect(v.verdict).toBe('unknown');
    expect(v.reason).toContain("service accounts are not read");
  });
});

describe("a rule's serviceAccounts and the serviceaccount label", () => {
  const web = (rule: string) => gnp('web', `  selector: app == "web"\n  ingress:\n${rule}  - action: Deny\n`);

  it('names: allows the client running as a named account, not another', () => {
    const rule = "  - action: Allow\n    source:\n      serviceAccounts:\n        names: [client, batch]\n";
    expect(verdict(web(rule), { 'dev/client': 'client' }).verdict).toBe('allowed');
    expect(verdict(web(rule), { 'dev/client': 'default' }).verdict).toBe('denied');
  });

  it('names: an account name of 63 characters or more carries no label, so it never matches', () => {
    const long = 'a'.repeat(63);
    const rule = `  - action: Allow\n    source:\n      serviceAccounts:\n        names: [${long}]\n`;
    expect(verdict(web(rule), { 'dev/client': long }).verdict).toBe('denied');
    expect(verdict(web(rule.replace(long, long.slice(1))), { 'dev/client': long.slice(1) }).verdict).toBe('allowed');
  });

  it('selector: decided by projectcalico.org/name, unknown on the account labels', () => {
    const rule = (selector: string) => `  - action: Allow\n    source:\n      serviceAccounts:\n        selector: ${selector}\n`;
    expect(verdict(web(rule(`projectcalico.org/name == 'client'`)), { 'dev/client': 'client' }).verdict).toBe('allowed');
    expect(verdict(web(rule(`projectcalico.org/name == 'client'`)), { 'dev/client': 'batch' }).verdict).toBe('denied');
    expect(verdict(web(rule(`team == 'a'`)), { 'dev/client': 'client' }).verdict).toBe('unknown');
  });

  it('in a namespaced policy, serviceAccounts alone match only its own namespace', () => {
    const rule = "  - action: Allow\n    source:\n      serviceAccounts:\n        names: [client]\n";
    const yaml = np('shop', 'web', `  selector: app == "web"\n  ingress:\n${rule}`);
    expect(verdict(yaml, { 'dev/client': 'client' }).verdict).toBe('denied');
    expect(verdict(yaml.replace('names: [client]', 'names: [client]\n      namespaceSelector: all()'), { 'dev/client': 'client' }).verdict).toBe('allowed');
  });

  it('a selector on projectcalico.org/serviceaccount reads the pod’s account', () => {
    const rule = "  - action: Allow\n    source:\n      selector: projectcalico.org/serviceaccount == 'client'\n";
    expect(verdict(web(rule), { 'dev/client': 'client' }).verdict).toBe('allowed');
    expect(verdict(web(rule), { 'dev/client': 'other' }).verdict).toBe('denied');
    expect(verdict(web(rule), {}).verdict).toBe('unknown');
  });
});

describe('derive: the pod record carries spec.serviceAccountName', () => {
  const text = readFileSync(new URL('../../../test/fixtures/cni-policies/cluster.yaml', import.meta.url), 'utf8');
  const objects = () => objectsFromDocuments(parseDocuments(text, 'cluster.yaml'), 'cluster.yaml').objects;

  it('where the pod object has it, and leaves it out where it does not', () => {
    const read = objects();
    const web = read.pods.find((p) => p.metadata.name === 'web')!;
    Object.assign(web.spec, { serviceAccountName: 'api' });
    const pods = Object.values(derive(read).pods);
    expect(pods.find((p) => p.name === 'web')?.serviceAccount).toBe('api');
    expect(pods.find((p) => p.name === 'db')).not.toHaveProperty('serviceAccount');
  });
});
