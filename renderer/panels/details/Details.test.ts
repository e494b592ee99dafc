import { readFileSync } from 'node:fs';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, test } from 'vitest';
import { describeElement } from '../../../shared/describe/build.ts';
import type { PodpathApi } from '../../../shared/ipc.ts';
import { parseSnapshot } from '../../../shared/snapshot/format.ts';
import { derive } from '../../../shared/topology/derive.ts';
import { graphElementById } from '../../graph/element-lookup.ts';
import { Details } from './Details.tsx';

const demo = parseSnapshot(readFileSync(new URL('../../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));
const topology = derive(demo.objects, demo.source);
const api = {} as PodpathApi;

/** The panel's text for the graph element with this id. */
function panel(id: string): string {
  const element = graphElementById(topology, 'node', id);
  if (!element) throw new Error(`no graph element ${id}`);
  return renderToStaticMarkup(createElement(Details, { api, topology, element })).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
}

describe('the details panel draws from describeElement', () => {
  test('a Service: address, endpoints with their pods, and the kube-proxy chains to grep for', () => {
    const described = describeElement(topology, 'svc:shop/backend');
    if (described?.kind !== 'service') throw new Error('not a service');
    const text = panel('svc:shop/backend');
    expect(text).toContain(`ClusterIP ${described.service.clusterIPs[0]}`);
    expect(text).toContain(`Endpoints (3, 3 ready)`);
    for (const e of described.service.endpoints) expect(text).toContain(`${e.ip} ready ${e.pod!.split('/')[1]}`);
    const port = described.service.ports[0]!;
    expect(text).toContain(`kube-proxy chains (iptables)`);
    expect(text).toContain(port.kubeProxy!.service);
    for (const e of port.kubeProxy!.endpoints) expect(text).toContain(`${e.chain} → ${e.target}`);
  });

  test('a pod: its IPs, node, veth with provenance, and the Services that select it', () => {
    const pod = Object.values(topology.pods).find((p) => p.namespace === 'shop' && p.name === 'db-0')!;
    const text = panel(pod.id);
    expect(text).toContain('IPs 10.244.1.5');
    expect(text).toContain('Node demo-worker-1');
    expect(text).toMatch(/Host end veth\? unknown/);
    expect(text).toContain('Bridge cni0 10.244.1.1/24');
    expect(text).toContain('Selected by Services (1)');
    expect(text).toContain('shop/db ready');
  });

  test("a node: addresses, devices with provenance, and the routes its datapath implies", () => {
    const text = panel('node:demo-worker-1');
    expect(text).toContain('InternalIP 172.18.0.3');
    expect(text).toMatch(/cni0 bridge inferred/);
    const node = describeElement(topology, 'node:demo-worker-1');
    if (node?.kind !== 'node') throw new Error('not a node');
    expect(text).toContain(`Pods ${node.node.pods.length} (${node.node.hostNetworkPods} on the host network)`);
    for (const route of node.node.routes) expect(text).toContain(route.destination!);
  });

  test('the Unscheduled group lists the pods no node has taken', () => {
    expect(panel('group:unscheduled')).toMatch(/Unscheduled pods .*recommender-\S+ shop · Pending/);
  });
});

describe('names with control characters', () => {
  test('the title shows them as escapes, where they would otherwise draw nothing', () => {
    const objects = structuredClone(demo.objects);
    const object = objects.pods.find((p) => p.metadata.namespace === 'shop' && p.metadata.name === 'db-0')!;
    object.metadata.name = 'db\u001b[2J\u202e0';
    const renamed = derive(objects, demo.source);
    const pod = Object.values(renamed.pods).find((p) => p.uid === object.metadata.uid)!;
    const element = graphElementById(renamed, 'node', pod.id)!;
    const html = renderToStaticMarkup(createElement(Details, { api, topology: renamed, element }));
    const title = /<h2>(.*?)<\/h2>/s.exec(html)![1]!;
    expect(title).toContain('db\\u001b[2J\\u202e0');
    expect(title).not.toMatch(/[\p{Cc}\u202a-\u202e]/u);
  });
});
