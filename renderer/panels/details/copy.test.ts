import { readFileSync } from 'node:fs';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { describeElement } from '../../../shared/describe/build.ts';
import type { ElementDescription } from '../../../shared/describe/types.ts';
import type { ObjectView, PodpathApi } from '../../../shared/ipc.ts';
import { internetId } from '../../../shared/model/types.ts';
import { parseSnapshot } from '../../../shared/snapshot/format.ts';
import { derive } from '../../../shared/topology/derive.ts';
import { shellRuns, type ShellRun } from '../../../test/shell-words.ts';
import { graphElementById } from '../../graph/element-lookup.ts';
import { copyableName, copyText, descriptionJson, kubectlGetCommand, objectYaml } from './copy.ts';
import { Details } from './Details.tsx';

const demo = parseSnapshot(readFileSync(new URL('../../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));
const topology = derive(demo.objects, demo.source);
const pod = Object.values(topology.pods).find((p) => p.namespace === 'shop' && p.name === 'db-0')!;

function described(id: string): ElementDescription {
  const d = describeElement(topology, id);
  if (!d) throw new Error(`nothing described as ${id}`);
  return d;
}

function markup(id: string): string {
  const element = graphElementById(topology, 'node', id);
  if (!element) throw new Error(`no graph element ${id}`);
  return renderToStaticMarkup(createElement(Details, { api: {} as PodpathApi, topology, element }));
}

describe('what the details panel copies', () => {
  test('each kind names itself the way a user types it', () => {
    expect(copyableName(described(pod.id))).toBe('shop/db-0');
    expect(copyableName(described('svc:shop/backend'))).toBe('shop/backend');
    expect(copyableName(described('node:demo-worker-1'))).toBe('demo-worker-1');
    const container = Object.values(topology.containers).find((c) => c.pod === pod.id)!;
    expect(copyableName(described(container.id))).toBe(`shop/db-0 -c ${container.name}`);
    const endpoint = Object.values(topology.endpoints).find((e) => e.pod === pod.id)!;
    expect(copyableName(described(endpoint.id))).toBe(endpoint.address);
    const policy = Object.values(topology.policies)[0]!;
    expect(copyableName(described(policy.id))).toBe(`${policy.namespace}/${policy.name}`);
    const namespace = Object.values(topology.namespaces)[0]!;
    expect(copyableName(described(namespace.id))).toBe(namespace.name);
    // A veth or device whose name is not known has nothing to copy; the Internet neither.
    const veth = Object.values(topology.veths).find((v) => v.pod === pod.id)!;
    const vethName = described(veth.id);
    expect(copyableName(vethName)).toBe(vethName.kind === 'veth' ? vethName.veth.hostName : 'not a veth');
    expect(copyableName(described(internetId))).toBeNull();
  });

  test('"Copy as JSON" is the whole description, round-tripping', () => {
    const d = described('svc:shop/backend');
    expect(JSON.parse(descriptionJson(d))).toEqual(d);
  });

  test('the YAML is the trimmed object: its name, no env; the kubectl command fetches the full one', () => {
    const object = demo.objects.pods.find((p) => p.metadata.namespace === 'shop' && p.metadata.name === 'db-0')!;
    const view: ObjectView = { id: pod.id, kind: 'pods', object };
    const yaml = objectYaml(view);
    expect(yaml).toContain('name: db-0');
    expect(yaml).not.toMatch(/^\s*env:/m);
    expect(parseYaml(yaml)).toEqual(object);
    expect(kubectlGetCommand(view)).toBe('kubectl get pods -n shop db-0 -o yaml');
    const node = demo.objects.nodes[0]!;
    expect(kubectlGetCommand({ id: 'node:x', kind: 'nodes', object: node })).toBe(`kubectl get nodes ${node.metadata.name} -o yaml`);
    // Calico's NetworkPolicy shares its kind name with Kubernetes': the command names Calico's resource.
    const calico = { metadata: { name: 'allow-web', namespace: 'shop', uid: 'x' }, spec: {} };
    expect(kubectlGetCommand({ id: 'calnp:shop/allow-web', kind: 'calicoNetworkPolicies', object: calico })).toBe('kubectl get networkpolicies.projectcalico.org -n shop allow-web -o yaml');
    expect(kubectlGetCommand({ id: 'ciliumccnp:x', kind: 'ciliumClusterwideNetworkPolicies', object: { metadata: { name: 'x', uid: 'x' } } })).toBe('kubectl get ciliumclusterwidenetworkpolicies.cilium.io x -o yaml');
  });

  test('the copied commands hold a stranger\'s names as one word each', () => {
    const name = "db;touch${IFS}/tmp/x;#'";
    const object = { metadata: { name, namespace: '-n shop', uid: 'x' } };
    const [{ runs, errors }] = shellRuns([kubectlGetCommand({ id: 'pod:x', kind: 'pods', object })]) as [ShellRun];
    expect(errors).toBe('');
    expect(runs).toEqual([['kubectl', 'get', 'pods', '-n', '-n shop', name, '-o', 'yaml']]);
    const flag = kubectlGetCommand({ id: 'pod:x', kind: 'pods', object: { metadata: { name: '--all-namespaces', namespace: 'shop', uid: 'x' } } });
    expect(flag).toBe('kubectl get -n shop pods/--all-namespaces -o yaml');
  });

  test('a refused clipboard is a message, not a throw', async () => {
    const written: string[] = [];
    expect(await copyText('10.0.0.1', { writeText: async (t) => void written.push(t) })).toEqual({ ok: true });
    expect(written).toEqual(['10.0.0.1']);
    const refused = await copyText('x', { writeText: () => Promise.reject(new DOMException('Write permission denied.', 'NotAllowedError')) });
    expect(refused).toEqual({ ok: false, reason: 'The clipboard refused: Write permission denied.' });
    expect(await copyText('x', undefined)).toEqual({ ok: false, reason: 'The clipboard is not available here.' });
  });
});

describe('copy buttons in the panel', () => {
  test("a pod: its name, IPs, veth, and the whole record as JSON; the object as trimmed YAML", () => {
    const html = markup(pod.id);
    expect(html).toContain('aria-label="Copy shop/db-0"');
    expect(html).toContain(`aria-label="Copy ${pod.ips[0]}"`);
    expect(html).toContain('aria-label="Copy eth0"');
    expect(html).toContain('aria-label="Copy as JSON"');
    expect(html).toContain('Kubernetes object (YAML, trimmed)');
  });

  test("a Service: its ClusterIP and kube-proxy chains", () => {
    const d = described('svc:shop/backend');
    if (d.kind !== 'service') throw new Error('not a service');
    const html = markup('svc:shop/backend');
    expect(html).toContain(`aria-label="Copy ${d.service.clusterIPs[0]}"`);
    const chains = d.service.ports[0]!.kubeProxy!;
    expect(html).toContain(`aria-label="Copy ${chains.service}"`);
    for (const e of chains.endpoints) expect(html).toContain(`aria-label="Copy ${e.chain}"`);
  });

  test('the Internet has no Kubernetes object section and no name to copy', () => {
    const html = markup(internetId);
    expect(html).not.toContain('kubernetes-object');
    expect(html).not.toContain('aria-label="Copy Internet"');
    expect(html).toContain('aria-label="Copy as JSON"');
  });
});
