/**
 * The filter panel (issue 5, "Finding"): which namespaces (with "hide system namespaces"),
 * which kinds, and "problems only". Opened from the header's Filters button, which carries a
 * badge while any filter is on. The settings live in the UI store and are applied by
 * shared/filter.ts to every topology the canvas draws, so they survive live updates.
 */
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { activeFilterCount, namespaceChoices, noFilters, shownPodCount, type GraphFilters, type KindFilters } from '../../shared/filter.ts';
import type { Topology } from '../../shared/model/types.ts';

export interface FiltersProps {
  /** The whole topology (to list its namespaces and count what is hidden). */
  topology: Topology | null;
  /** The filters in force. */
  filters: GraphFilters;
  onChange(update: (filters: GraphFilters) => GraphFilters): void;
  /** Bumped to open the panel from the keyboard (Shift+F): it opens with the focus inside. */
  openRequest?: number;
}

const kindLabels: { key: keyof KindFilters; label: string; hint: string }[] = [
  { key: 'pods', label: 'Pods', hint: 'with their containers and veths' },
  { key: 'services', label: 'Services', hint: 'with their endpoints' },
  { key: 'ingresses', label: 'Ingresses', hint: '' },
  { key: 'devices', label: 'Node devices', hint: 'uplinks, bridges, tunnels, veths' },
];

/** The namespace list after toggling one name; null again when every namespace is chosen. */
export function toggleNamespace(current: string[] | null, all: readonly string[], name: string): string[] | null {
  const chosen = new Set(current ?? all);
  if (chosen.has(name)) chosen.delete(name);
  else chosen.add(name);
  return all.every((n) => chosen.has(n)) ? null : all.filter((n) => chosen.has(n));
}

export function Filters({ topology, filters, onChange, openRequest = 0 }: FiltersProps) {
  const [isOpen, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const [focusRequest, setFocusRequest] = useState(0);

  useEffect(() => {
    if (openRequest === 0) return;
    setOpen(true);
    setFocusRequest((n) => n + 1);
  }, [openRequest]);

  useEffect(() => {
    if (focusRequest === 0) return;
    panel.current?.querySelector<HTMLElement>('input:not([disabled]), button:not([disabled])')?.focus();
  }, [focusRequest]);
  const panelId = useId();
  const choices = useMemo(() => (topology ? namespaceChoices(topology) : []), [topology]);
  const names = useMemo(() => choices.map((c) => c.name), [choices]);
  const active = activeFilterCount(filters);

  useEffect(() => {
    if (!isOpen) return;
    const onPointer = (event: PointerEvent) => {
      if (root.current && !root.current.contains(event.target as Node)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setOpen(false);
      button.current?.focus();
    };
    window.addEventListener('pointerdown', onPointer);
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('pointerdown', onPointer);
      window.removeEventListener('keydown', onKey);
    };
  }, [isOpen]);

  const isChosen = (name: string) => filters.namespaces === null || filters.namespaces.includes(name);
  const count = (t: Topology | null) => (t ? Object.keys(t.pods).length : 0);
  const set = (patch: Partial<GraphFilters>) => onChange((f) => ({ ...f, ...patch }));

  return (
    <div className="filters" ref={root}>
      <button
        ref={button}
        type="button"
        className={`button${active > 0 ? ' button-active' : ''}`}
        data-testid="filters"
        aria-haspopup="dialog"
        aria-expanded={isOpen}
        aria-controls={isOpen ? panelId : undefined}
        onClick={() => setOpen((open) => !open)}
        title="Filter the graph by namespace, kind, or problems"
      >
        Filters
        {active > 0 && (
          <span className="filters-badge" data-testid="filters-badge" aria-label={`${active} active`}>
            {active}
          </span>
        )}
      </button>
      {isOpen && (
        <div ref={panel} className="filters-panel" id={panelId} role="dialog" aria-label="Filters" data-testid="filters-panel">
          <div className="filters-summary muted" data-testid="filters-summary">
            {active === 0 ? 'Showing everything' : `Showing ${topology ? shownPodCount(topology, filters) : 0} of ${count(topology)} pods`}
            <button type="button" className="button filters-reset" disabled={active === 0} onClick={() => onChange(() => noFilters)} data-testid="filters-reset">
              Show everything
            </button>
          </div>

          <fieldset className="filters-group">
            <legend>Namespaces</legend>
            <label className="filters-check">
              <input
                type="checkbox"
                checked={filters.hideSystemNamespaces}
                onChange={(e) => set({ hideSystemNamespaces: e.currentTarget.checked })}
                data-testid="filters-hide-system"
              />
              Hide system namespaces
            </label>
            <div className="filters-row">
              <button type="button" className="button" onClick={() => set({ namespaces: null })} disabled={filters.namespaces === null} data-testid="filters-ns-all">
                All
              </button>
              <button type="button" className="button" onClick={() => set({ namespaces: [] })} disabled={filters.namespaces?.length === 0} data-testid="filters-ns-none">
                None
              </button>
            </div>
            <ul className="filters-namespaces" data-testid="filters-namespaces">
              {choices.map(({ name, isSystem }) => {
                const hiddenAsSystem = isSystem && filters.hideSystemNamespaces;
                return (
                  <li key={name} className={hiddenAsSystem ? 'is-hidden' : ''}>
                    <label className="filters-check" title={hiddenAsSystem ? 'Hidden: a system namespace' : undefined}>
                      <input
                        type="checkbox"
                        checked={isChosen(name)}
                        onChange={() => onChange((f) => ({ ...f, namespaces: toggleNamespace(f.namespaces, names, name) }))}
                        data-namespace={name}
                      />
                      <span className="filters-ns-name">{name}</span>
                      {isSystem && <span className="badge filters-system">system</span>}
                    </label>
                  </li>
                );
              })}
            </ul>
          </fieldset>

          <fieldset className="filters-group">
            <legend>Kinds</legend>
            {kindLabels.map(({ key, label, hint }) => (
              <label key={key} className="filters-check">
                <input
                  type="checkbox"
                  checked={filters.kinds[key]}
                  onChange={(e) => {
                    const checked = e.currentTarget.checked;
                    onChange((f) => ({ ...f, kinds: { ...f.kinds, [key]: checked } }));
                  }}
                  data-kind={key}
                />
                {label}
                {hint && <span className="muted filters-hint">{hint}</span>}
              </label>
            ))}
          </fieldset>

          <fieldset className="filters-group">
            <legend>Health</legend>
            <label className="filters-check">
              <input type="checkbox" checked={filters.problemsOnly} onChange={(e) => set({ problemsOnly: e.currentTarget.checked })} data-testid="filters-problems" />
              Problems only
            </label>
            <p className="muted filters-hint filters-note">
              Pods not ready or without an IP, Services without a ready endpoint, nodes not ready, and the nodes they run on. Kinds that could not be read
              stay listed in the status bar.
            </p>
          </fieldset>
        </div>
      )}
    </div>
  );
}
