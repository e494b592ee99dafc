/**
 * "Read from the kubelets" in a node's details: what the line says (assumed, or read), when the
 * button is offered, the read's problems shown on the node they concern, and an answer kept to
 * the session it was asked in. On the bundled demo.
 */
import { readFileSync } from 'node:fs';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, test } from 'vitest';
import type { KubeletDnsRead, PodpathApi, SourceInfo } from '../../shared/ipc.ts';
import { parseSnapshot } from '../../shared/snapshot/format.ts';
import { derive } from '../../shared/topology/derive.ts';
import { graphElementById } from '../graph/element-lookup.ts';
import { Details } from './details/Details.tsx';
import { createKubeletDnsReadStore, kubeletDnsAction, KubeletDnsActionContext, problemsOfNode, type KubeletDnsReadState } from './kubelet-dns-action.ts';

const demo = parseSnapshot(readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));
const assumed = derive(demo.objects, demo.source);
const read = derive({ ...demo.objects, nodes: demo.objects.nodes.map((n) => (n.metadata.name === 'demo-worker-1' ? { ...n, kubeletConfig: { clusterDNS: ['169.254.20.10'], clusterDomain: 'corp.internal' } } : n)) }, demo.source);
const live: SourceInfo = { kind: 'cluster', label: 'kind-dev', note: null };
const demoSource: SourceInfo = { kind: 'demo', label: 'Demo cluster', note: null };
const kubeDnsIP = assumed.services['svc:kube-system/kube-dns']!.clusterIPs[0]!;

/** The node panel's text, and whether it offers the button, with this action provided. */
function nodePanel(topology: typeof assumed, node: string, action: ReturnType<typeof kubeletDnsAction>): { text: string; hasButton: boolean } {
  const element = graphElementById(topology, 'node', `node:${node}`);
  if (!element) throw new Error(`no graph element for ${node}`);
  const html = renderToStaticMarkup(createElement(KubeletDnsActionContext.Provider, { value: action }, createElement(Details, { api: {} as PodpathApi, topology, element })));
  const line = /data-testid="node-kubelet-dns">(.*?)<\/dd>/s.exec(html)?.[1] ?? '';
  const text = line.replace(/<[^>]+>/g, ' ').replace(/&#x27;/g, "'").replace(/\s+/g, ' ').trim();
  return { text, hasButton: line.includes('<button') };
}

describe('the kubelet DNS line in a node\'s details', () => {
  test('assumed in a live session: the kube-dns ClusterIP and cluster.local, said so, with the button', () => {
    const panel = nodePanel(assumed, 'demo-worker-1', kubeletDnsAction({ sessionId: 1, source: live, topology: assumed }, { phase: 'idle' }, () => {}));
    expect(panel.text).toContain(`clusterDNS ${kubeDnsIP}, domain cluster.local (assumed)`);
    expect(panel.text).toContain('Read from the kubelets');
    expect(panel.hasButton).toBe(true);
  });

  test('read: the kubelet\'s own values, no button; the node not read still offers it', () => {
    const action = kubeletDnsAction({ sessionId: 1, source: live, topology: read }, { phase: 'idle' }, () => {});
    const worker1 = nodePanel(read, 'demo-worker-1', action);
    expect(worker1.text).toContain("clusterDNS 169.254.20.10, domain corp.internal (read from the kubelet's configz)");
    expect(worker1.hasButton).toBe(false);
    expect(nodePanel(read, 'demo-worker-2', action).hasButton).toBe(true);
  });

  test('the demo: the assumption shown, no button (there are no kubelets to ask)', () => {
    const action = kubeletDnsAction({ sessionId: 1, source: demoSource, topology: assumed }, { phase: 'idle' }, () => {});
    expect(action.unavailable).toMatch(/Open a live context/);
    const panel = nodePanel(assumed, 'demo-worker-1', action);
    expect(panel.text).toContain('(assumed)');
    expect(panel.hasButton).toBe(false);
  });

  test('while reading the button says so; afterwards the node\'s problems are shown, not other nodes\'', () => {
    const reading = nodePanel(assumed, 'demo-worker-1', kubeletDnsAction({ sessionId: 1, source: live, topology: assumed }, { phase: 'reading', sessionId: 1 }, () => {}));
    expect(reading.text).toContain('Reading the kubelets…');
    const answer: KubeletDnsRead = { read: 0, of: 3, problems: ['node demo-worker-1: 400: address not allowed', 'node demo-worker-2: 502: i/o timeout'] };
    const done = nodePanel(assumed, 'demo-worker-1', kubeletDnsAction({ sessionId: 1, source: live, topology: assumed }, { phase: 'done', sessionId: 1, answer }, () => {}));
    expect(done.text).toContain('400: address not allowed');
    expect(done.text).not.toContain('i/o timeout');
  });
});

describe('problemsOfNode', () => {
  test('its own problem without the prefix, and the ones that stopped every node', () => {
    const problems = ["the kubelets' configz was not read: reading it needs get on nodes/proxy", 'node a: 503: no kubelet', 'node ab: 400: address not allowed', 'no Nodes to ask: forbidden'];
    expect(problemsOfNode('a', problems)).toEqual(["the kubelets' configz was not read: reading it needs get on nodes/proxy", '503: no kubelet', 'no Nodes to ask: forbidden']);
    expect(problemsOfNode('c', problems)).toEqual(["the kubelets' configz was not read: reading it needs get on nodes/proxy", 'no Nodes to ask: forbidden']);
  });
});

describe('the read store', () => {
  function deferredApi() {
    const calls: { resolve: (answer: KubeletDnsRead) => void; reject: (error: Error) => void }[] = [];
    const api = { readKubeletDns: () => new Promise<KubeletDnsRead>((resolve, reject) => calls.push({ resolve, reject })) };
    return { api, calls };
  }

  test('reading, then the newest answer; an older answer arriving late is dropped', async () => {
    const { api, calls } = deferredApi();
    const store = createKubeletDnsReadStore(api);
    const first = store.start(4);
    expect(store.get()).toEqual({ phase: 'reading', sessionId: 4 });
    const second = store.start(4);
    calls[1]!.resolve({ read: 2, of: 2, problems: [] });
    await second;
    calls[0]!.resolve({ read: 0, of: 2, problems: ['stale'] });
    await first;
    expect(store.get()).toEqual({ phase: 'done', sessionId: 4, answer: { read: 2, of: 2, problems: [] } });
  });

  test('a refused request is shown as the node\'s problem, only in its own session', async () => {
    const { api, calls } = deferredApi();
    const store = createKubeletDnsReadStore(api);
    const started = store.start(7);
    calls[0]!.reject(new Error('This is a snapshot file: there are no kubelets to ask.'));
    await started;
    const state: KubeletDnsReadState = store.get();
    expect(state).toMatchObject({ phase: 'failed', sessionId: 7 });
    expect(kubeletDnsAction({ sessionId: 7, source: live, topology: assumed }, state, () => {}).problemsOf('demo-worker-1')).toEqual(['This is a snapshot file: there are no kubelets to ask.']);
    const later = kubeletDnsAction({ sessionId: 8, source: live, topology: assumed }, state, () => {});
    expect(later.problemsOf('demo-worker-1')).toEqual([]);
    expect(later.isReading).toBe(false);
  });
});
