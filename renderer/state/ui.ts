/** The store of UI state (design §6): what is selected, and the graph's filters. Traces will join it. */
import { noFilters, type GraphFilters } from '../../shared/filter.ts';
import { createStore } from './store.ts';

export interface UiState {
  /** Id of the selected graph element (a model id, or a canvas-only id such as `tunnel:a|b`). */
  selected: string | null;
  /** What the canvas shows (shared/filter.ts); applied to every topology, live deltas included. */
  filters: GraphFilters;
}

export const uiStore = createStore<UiState>({ selected: null, filters: noFilters });

export function select(id: string | null): void {
  uiStore.set((s) => (s.selected === id ? s : { ...s, selected: id }));
}

export function setFilters(update: (filters: GraphFilters) => GraphFilters): void {
  uiStore.set((s) => {
    const filters = update(s.filters);
    return filters === s.filters ? s : { ...s, filters };
  });
}
