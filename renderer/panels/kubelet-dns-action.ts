/**
 * "Read from the kubelets" in a node's details (issue 15): the kubelet's clusterDNS and
 * clusterDomain as the tracer takes them (read from its configz, else assumed, said so) and the
 * read itself. Reading needs get on nodes/proxy, a sensitive permission, so it only ever runs
 * when the user asks; what it read reaches the picture as any change does, a topology delta.
 */
import { createContext, useContext, useMemo } from 'react';
import { kubeletDnsUnavailableReason, type KubeletDnsRead, type PodpathApi, type ViewState } from '../../shared/ipc.ts';
import type { Id } from '../../shared/model/types.ts';
import { clusterDnsService } from '../../shared/trace/dns.ts';
import { kubeletDnsOf, type KubeletDns } from '../../shared/trace/resolv-conf.ts';
import { createStore, useStore, type Store } from '../state/store.ts';

/** The last read, kept with the session it was made in: another session's answer is not shown. */
export type KubeletDnsReadState =
  | { phase: 'idle' }
  | { phase: 'reading'; sessionId: number }
  | { phase: 'done'; sessionId: number; answer: KubeletDnsRead }
  | { phase: 'failed'; sessionId: number; reason: string };

export interface KubeletDnsReadStore extends Store<KubeletDnsReadState> {
  start(sessionId: number): Promise<void>;
}

export function createKubeletDnsReadStore(api: Pick<PodpathApi, 'readKubeletDns'>): KubeletDnsReadStore {
  const store = createStore<KubeletDnsReadState>({ phase: 'idle' });
  /** Bumped by every request, so only the newest answer is kept. */
  let generation = 0;
  return {
    ...store,
    async start(sessionId) {
      const mine = ++generation;
      store.set({ phase: 'reading', sessionId });
      try {
        const answer = await api.readKubeletDns({});
        if (mine === generation) store.set({ phase: 'done', sessionId, answer });
      } catch (error) {
        if (mine === generation) store.set({ phase: 'failed', sessionId, reason: error instanceof Error ? error.message : String(error) });
      }
    },
  };
}

export interface KubeletDnsAction {
  /** Why the kubelets cannot be asked from this source, or null when they can (a live context). */
  unavailable: string | null;
  isReading: boolean;
  /** The kubelet's settings on this node as the tracer takes them. */
  dnsOf(node: Id): KubeletDns;
  /** What the last read in this session said about this node: its own problem and the ones that
   * stopped the whole read (no permission, no Nodes), or why the request failed. */
  problemsOf(nodeName: string): string[];
  read(): void;
}

export function kubeletDnsAction(view: Pick<ViewState, 'sessionId' | 'source' | 'topology'>, state: KubeletDnsReadState, start: () => void): KubeletDnsAction {
  const isThisSession = state.phase !== 'idle' && state.sessionId === view.sessionId;
  return {
    unavailable: kubeletDnsUnavailableReason(view.source),
    isReading: isThisSession && state.phase === 'reading',
    // Looked up when a node panel asks, not at every live update (it may scan every Service).
    dnsOf: (node) => kubeletDnsOf(view.topology.hosts[node] ?? null, clusterDnsService(view.topology)?.clusterIPs[0] ?? null, 'svc kube-system/kube-dns'),
    problemsOf: (nodeName) => {
      if (!isThisSession) return [];
      if (state.phase === 'failed') return [state.reason];
      if (state.phase !== 'done') return [];
      return problemsOfNode(nodeName, state.answer.problems);
    },
    read: start,
  };
}

/** readKubeletDns names a node's problem `node NAME: …`; any other stopped every node. */
export function problemsOfNode(nodeName: string, problems: readonly string[]): string[] {
  const own = `node ${nodeName}: `;
  return problems.flatMap((p) => (p.startsWith(own) ? [p.slice(own.length)] : /^node \S+: /.test(p) ? [] : [p]));
}

/** `clusterDNS 10.96.0.10, domain cluster.local`, as the node's details show it. */
export function kubeletDnsText(dns: KubeletDns): string {
  return `clusterDNS ${dns.clusterDNS.join(', ') || '(none)'}, domain ${dns.clusterDomain || '(none)'}`;
}

/** The action for the open view, for the app to provide to the details panel. */
export function useKubeletDnsActionFor(api: Pick<PodpathApi, 'readKubeletDns'>, view: ViewState | null): KubeletDnsAction | null {
  const store = useMemo(() => createKubeletDnsReadStore(api), [api]);
  const state = useStore(store);
  const sessionId = view?.sessionId ?? null;
  const source = view?.source ?? null;
  const topology = view?.topology ?? null;
  return useMemo(
    () => (sessionId !== null && source && topology ? kubeletDnsAction({ sessionId, source, topology }, state, () => void store.start(sessionId)) : null),
    [sessionId, source, topology, state, store],
  );
}

export const KubeletDnsActionContext = createContext<KubeletDnsAction | null>(null);

export const useKubeletDnsAction = (): KubeletDnsAction | null => useContext(KubeletDnsActionContext);
