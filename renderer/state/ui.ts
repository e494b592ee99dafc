/** The store of UI state (design §6): what is selected. Filters and traces will join it. */
import { createStore } from './store.ts';

export interface UiState {
  /** Id of the selected graph element (a model id, or a canvas-only id such as `tunnel:a|b`). */
  selected: string | null;
}

export const uiStore = createStore<UiState>({ selected: null });

export function select(id: string | null): void {
  uiStore.set((s) => (s.selected === id ? s : { ...s, selected: id }));
}
