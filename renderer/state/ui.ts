/** The store of UI state (design §6): what is selected, the graph's filters, and the trace asked for. */
import { noFilters, type GraphFilters } from '../../shared/filter.ts';
import type { Protocol } from '../../shared/policy/types.ts';
import { createStore } from './store.ts';

/** What the trace panel asks for; the trace itself is computed from each topology (live). */
export interface TraceRequest {
  from: string;
  to: string;
  port: number | null;
  /** Null: as the destination says (a named port's protocol), else TCP, as the CLI does. */
  protocol: Protocol | null;
  /** The address family to trace in; null: as the tracer decides (the sender's primary IP's family,
   * or the destination's only one). */
  family: 4 | 6 | null;
  /** What-if NetworkPolicies (YAML or JSON as pasted or opened), traced beside the cluster's own. */
  whatIf: string;
}

export const emptyTraceRequest: TraceRequest = { from: '', to: '', port: null, protocol: null, family: null, whatIf: '' };

export interface UiState {
  /** Id of the selected graph element (a model id, or a canvas-only id such as `tunnel:a|b`). */
  selected: string | null;
  /** What the canvas shows (shared/filter.ts); applied to every topology, live deltas included. */
  filters: GraphFilters;
  /** The trace panel: null while closed. */
  trace: TraceRequest | null;
  /** Elements a panel marks on the graph (a pod's NetworkPolicy peers), the rest dimmed; null: none. */
  marked: readonly string[] | null;
}

export const uiStore = createStore<UiState>({ selected: null, filters: noFilters, trace: null, marked: null });

/** Marks these elements on the graph and dims the rest (null clears it), as search's "Highlight all" does. */
export function markOnGraph(ids: readonly string[] | null): void {
  uiStore.set((s) => (s.marked === ids ? s : { ...s, marked: ids }));
}

export function select(id: string | null): void {
  uiStore.set((s) => (s.selected === id ? s : { ...s, selected: id }));
}

export function setFilters(update: (filters: GraphFilters) => GraphFilters): void {
  uiStore.set((s) => {
    const filters = update(s.filters);
    return filters === s.filters ? s : { ...s, filters };
  });
}

/** Opens the trace panel with these fields changed ("trace from here", "trace to here"). */
export function editTrace(change: Partial<TraceRequest>): void {
  uiStore.set((s) => ({ ...s, trace: { ...(s.trace ?? emptyTraceRequest), ...change } }));
}

export function closeTrace(): void {
  uiStore.set((s) => (s.trace === null ? s : { ...s, trace: null }));
}
