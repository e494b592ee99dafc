/**
 * The filter panel (issue 5, "Finding"): which namespaces (with "hide system namespaces"),
 * which kinds, and "problems only"; and, when the graph's menu or the search box set them, the
 * node or the search the graph is narrowed to. Opened from the header's Filters button, which
 * carries a badge while any filter is on. The settings live in the UI store and are applied by
 * shared/filter.ts to every topology the canvas draws, so they survive live updates.
 */
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { activeFilterCount, isNamespaceShown, namespaceChoices, noFilters, shownPodCount, toggleNamespace, type GraphFilters, type KindFilters } from '../../shared/filter.ts';
import type { Topology } from '../../shared/model/types.ts';
import { usePopover } from './popover.ts';

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

export function Filters({ topology, filters, onChange, openRequest = 0 }: FiltersProps) {
  const { isOpen, setOpen, root, button } = usePopover();
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
  const active = activeFilterCount(filters);


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
        {/* Always there, empty and unseen without a filter: the button keeps its width, so the
            header does not reflow when a filter comes on. */}
        {active > 0 ? (
          <span className="filters-badge" data-testid="filters-badge" aria-label={`${active} active`}>
            {active}
          </span>
        ) : (
          <span className="filters-badge is-empty" aria-hidden="true" />
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

          {(filters.nodes !== null || filters.search !== null) && (
            <fieldset className="filters-group" data-testid="filters-only">
              <legend>Showing only</legend>
              {filters.nodes !== null && (
                <div className="filters-only">
                  <span>
                    {filters.nodes.length === 1 ? 'node ' : 'nodes '}
                    <strong>{filters.nodes.join(', ')}</strong>
                    <span className="muted filters-hint"> with its pods and their Services</span>
                  </span>
                  <button type="button" className="button button-small" onClick={() => set({ nodes: null })} data-testid="filters-clear-nodes" aria-label="Show every node">
                    Clear
                  </button>
                </div>
              )}
              {filters.search !== null && (
                <div className="filters-only">
                  <span>
                    what matches <code>{filters.search}</code>
                  </span>
                  <button type="button" className="button button-small" onClick={() => set({ search: null })} data-testid="filters-clear-search" aria-label="Show more than the search matches">
                    Clear
                  </button>
                </div>
              )}
            </fieldset>
          )}

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
              {/* Every box ticked: the system namespaces too. */}
              <button
                type="button"
                className="button"
                onClick={() => set({ namespaces: null, hideSystemNamespaces: false })}
                disabled={filters.namespaces === null && !filters.hideSystemNamespaces}
                data-testid="filters-ns-all"
              >
                All
              </button>
              <button type="button" className="button" onClick={() => set({ namespaces: [] })} disabled={filters.namespaces?.length === 0} data-testid="filters-ns-none">
                None
              </button>
            </div>
            <ul className="filters-namespaces" data-testid="filters-namespaces">
              {choices.map(({ name, isSystem }) => (
                <li key={name}>
                  <label className="filters-check" title={isSystem && filters.hideSystemNamespaces ? 'Hidden with the system namespaces; tick to show it' : undefined}>
                    <input
                      type="checkbox"
                      // Ticked exactly when shown, whichever filter hides it.
                      checked={isNamespaceShown(filters, name, isSystem)}
                      onChange={() => onChange((f) => toggleNamespace(f, choices, name))}
                      data-namespace={name}
                    />
                    <span className="filters-ns-name">{name}</span>
                    {isSystem && <span className="badge filters-system">system</span>}
                  </label>
                </li>
              ))}
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
