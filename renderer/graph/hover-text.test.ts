import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseSnapshot } from '../../shared/snapshot/format.ts';
import { derive } from '../../shared/topology/derive.ts';
import { graphElementById } from './element-lookup.ts';
import { toGraphElements } from './elements.ts';
import { hoverText } from './hover-text.ts';

const snapshot = parseSnapshot(readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));
const demo = derive(snapshot.objects, snapshot.source);
const hover = (id: string) => hoverText(demo, graphElementById(demo, 'node', id)!)!;
const all = (h: ReturnType<typeof hover>) => [h.title, ...h.lines, h.why ?? ''].join('\n');

describe('hover text on the demo', () => {
  test('a pod: its name, IP and node, its state, and the Services it backs', () => {
    const pod = Object.values(demo.pods).find((p) => p.namespace === 'shop' && p.name.startsWith('backend-') && p.isReady)!;
    const text = hover(pod.id);
    expect(text.title).toBe(`pod shop/${pod.name}`);
    expect(text.lines[0]).toBe(`${pod.ips[0]} on ${demo.hosts[pod.host!]!.name}`);
    expect(text.lines[1]).toBe('Running · ready');
    expect(text.why).toBe('Behind backend.');
  });

  test('a pod not ready behind a Service says that the Service sends it nothing new', () => {
    const endpoint = Object.values(demo.endpoints).find((e) => !e.isReady && !e.isTerminating && e.pod)!;
    expect(hover(endpoint.pod!).why).toBe('Not ready: the Service it backs sends it no new connections.');
  });

  test('a Service: its address and ports, and how many endpoints are ready, or that none is', () => {
    const backend = hover('svc:shop/backend');
    expect(backend.title).toBe('Service shop/backend · ClusterIP');
    expect(backend.lines[0]).toBe(demo.services['svc:shop/backend']!.clusterIPs[0]);
    expect(backend.why).toMatch(/^\d+ of \d+ endpoints ready\.$/);
    const broken = Object.values(demo.services).find((s) => s.type !== 'ExternalName' && !Object.values(demo.endpoints).some((e) => e.service === s.id && e.isReady))!;
    expect(hover(broken.id).why).toBe('No ready endpoint: connections to it fail.');
  });

  test('a veth says how its host end was named; a node its addresses and pod count', () => {
    const veth = Object.values(demo.veths)[0]!;
    expect(all(hover(veth.id))).toContain(veth.hostEnd.how);
    const host = Object.values(demo.hosts)[0]!;
    const pods = Object.values(demo.pods).filter((p) => p.host === host.id).length;
    expect(hover(host.id).lines).toEqual([`InternalIP ${host.internalIPs.join(', ')}`, `podCIDR ${host.podCIDRs.join(', ')} · ${pods} pods`]);
  });

  test('every drawn element of the demo has something to say but the Internet without a record', () => {
    for (const element of toGraphElements(demo)) {
      const text = hoverText(demo, element);
      if (text === null) expect(element.data.model, element.data.id).toBeNull();
      else expect(text.title.length, element.data.id).toBeGreaterThan(0);
    }
  });
});
