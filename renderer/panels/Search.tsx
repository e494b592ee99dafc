/**
 * The search box (issue 5, "Finding"): names, `namespace/name`, label selectors, IPs and CIDRs,
 * answered by shared/search/search.ts. `/` or Ctrl+K focuses it; ↑/↓ move through the results, Enter
 * or a click chooses one, Escape closes the list. An address nothing owns is explained in the
 * list and selects nothing.
 *
 * Every match at once (issue 11): "Highlight all" marks them on the graph (Shift+Enter) until the
 * query changes or the mark is cleared, following live updates; "Show only these" (Alt+Enter)
 * makes the query a filter (shared/filter.ts), listed and cleared in the Filters panel.
 */
import { useDeferredValue, useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { searchMatches } from '../../shared/filter.ts';
import type { Topology } from '../../shared/model/types.ts';
import { search, type SearchResult } from '../../shared/search/search.ts';
import { shortcutFor } from '../shortcuts.ts';
import { editTrace, setFilters } from '../state/ui.ts';
import { endpointTextFor } from '../../shared/trace/end-text.ts';

export interface SearchProps {
  topology: Topology | null;
  /** Whether the canvas draws this id (a Gateway, for one, is not drawn yet). */
  isDrawn(id: string): boolean;
  onChoose(id: string): void;
  /** Marks these model ids on the graph and dims the rest; null clears the marks. */
  onHighlight(ids: readonly string[] | null): void;
}

const kindLabel: Record<SearchResult['kind'], string> = {
  pod: 'pod',
  service: 'svc',
  node: 'node',
  ingress: 'ing',
  gateway: 'gw',
  device: 'dev',
  ip: 'IP',
  invalid: '?',
};

export function Search({ topology, isDrawn, onChoose, onHighlight }: SearchProps) {
  const [query, setQuery] = useState('');
  const [isOpen, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const listId = useId();
  const deferred = useDeferredValue(query);
  const results = useMemo(() => (topology ? search(topology, deferred) : []), [topology, deferred]);
  // What a trace calls each result, for its trace button: "Trace from" a pod or a node, "Trace
  // to" what only receives (a Service, an Ingress, a Gateway), never a dead end.
  const traceEnds = useMemo(() => new Map(topology ? results.map((r) => [r.id, endpointTextFor(topology, r.id)] as const) : []), [topology, results]);
  const canChoose = (result: SearchResult): boolean => result.kind !== 'ip' && result.kind !== 'invalid' && isDrawn(result.id);
  // Every match, not only the listed ones: what "Highlight all" and "Show only these" act on.
  const matchCount = useMemo(() => (topology ? searchMatches(topology, deferred).size : 0), [topology, deferred]);
  /** The query whose matches are marked on the graph, if any. */
  const [marked, setMarked] = useState<string | null>(null);
  const [markedCount, setMarkedCount] = useState(0);
  const onHighlightRef = useRef(onHighlight);
  onHighlightRef.current = onHighlight;

  // Asked again of each topology, so the marks follow live updates.
  useEffect(() => {
    const ids = marked !== null && topology ? [...searchMatches(topology, marked)] : null;
    setMarkedCount(ids?.length ?? 0);
    onHighlightRef.current(ids);
  }, [marked, topology]);

  const highlightAll = () => {
    if (matchCount === 0) return;
    setMarked(query.trim());
    setOpen(false);
  };
  const showOnly = () => {
    if (matchCount === 0) return;
    const only = query.trim();
    setFilters((filters) => ({ ...filters, search: only }));
    setMarked(null);
    setOpen(false);
  };

  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      // The key itself is decided by the shortcut table (../shortcuts.ts), like every other.
      if (shortcutFor(event) !== 'search') return;
      event.preventDefault();
      input.current?.focus();
      input.current?.select();
      setOpen(true);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const choose = (result: SearchResult | undefined) => {
    if (!result || !canChoose(result)) return;
    onChoose(result.id);
    setOpen(false);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      setOpen(true);
      if (results.length > 0) setActive((i) => (i + (event.key === 'ArrowDown' ? 1 : results.length - 1)) % results.length);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      if (event.shiftKey) highlightAll();
      else if (event.altKey) showOnly();
      else choose(results[Math.min(active, results.length - 1)]);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      if (isOpen && query !== '') setOpen(false);
      else input.current?.blur();
    }
  };

  const showList = isOpen && deferred.trim() !== '';
  const activeIndex = Math.min(active, results.length - 1);
  return (
    // The list stays open while the focus is anywhere in the box, its actions included (Tab).
    <div className={`search${marked !== null ? ' is-marking' : ''}`} onBlur={(event) => !event.currentTarget.contains(event.relatedTarget) && setOpen(false)}>
      <input
        ref={input}
        type="search"
        className="search-input"
        data-testid="search"
        placeholder="Search: name, ns/name, app=web, IP or CIDR   ( / )"
        aria-label="Search by name, namespace/name, label selector, IP or CIDR"
        role="combobox"
        aria-expanded={showList}
        aria-controls={listId}
        aria-activedescendant={showList && activeIndex >= 0 ? `${listId}-${activeIndex}` : undefined}
        aria-autocomplete="list"
        spellCheck={false}
        autoComplete="off"
        value={query}
        onChange={(event) => {
          setQuery(event.currentTarget.value);
          setActive(0);
          setOpen(true);
          // The marks belong to the query they were made for.
          setMarked(null);
        }}
        onFocus={() => setOpen(true)}
        onKeyDown={onKeyDown}
      />
      {marked !== null && (
        <button
          type="button"
          className="search-marked"
          data-testid="search-marked"
          onClick={() => setMarked(null)}
          title={`${markedCount} elements matching ${marked} are highlighted on the graph: clear the highlight`}
          aria-label={`Clear the highlight of ${markedCount} matches`}
        >
          {markedCount} marked ✕
        </button>
      )}
      {showList && (
        <div className="search-popover">
          <div className="search-actions" data-testid="search-actions">
            <button
              type="button"
              className="button button-small"
              disabled={matchCount === 0}
              onMouseDown={(event) => event.preventDefault()}
              onClick={highlightAll}
              data-testid="search-highlight-all"
              title="Mark every match on the graph and dim the rest (Shift+Enter)"
            >
              Highlight all ({matchCount})
            </button>
            <button
              type="button"
              className="button button-small"
              disabled={matchCount === 0}
              onMouseDown={(event) => event.preventDefault()}
              onClick={showOnly}
              data-testid="search-show-only"
              title="Draw only what matches, as a filter (Alt+Enter); the Filters panel clears it"
            >
              Show only these
            </button>
          </div>
          <ul className="search-results" id={listId} role="listbox" data-testid="search-results" aria-label="Search results">
            {results.length === 0 && <li className="search-empty">Nothing matches.</li>}
            {results.map((result, index) => {
              const choosable = canChoose(result);
              return (
                <li
                  key={result.id}
                  id={`${listId}-${index}`}
                  role="option"
                  aria-selected={index === activeIndex}
                  aria-disabled={!choosable}
                  data-id={result.id}
                  data-kind={result.kind}
                  className={`search-result${index === activeIndex ? ' is-active' : ''}${choosable ? '' : ' is-info'}`}
                  // Chosen on mousedown, before the input's blur closes the list.
                  onMouseDown={(event) => {
                    event.preventDefault();
                    setActive(index);
                    choose(result);
                  }}
                >
                  <span className={`search-kind kind-${result.kind}`}>{kindLabel[result.kind]}</span>
                  <span className="search-text">
                    <span className="search-title">{result.title}</span>
                    <span className="search-subtitle muted">{result.subtitle}</span>
                    <span className="search-reason">
                      {result.reason}
                      {!choosable && result.kind !== 'ip' && result.kind !== 'invalid' ? ' (not drawn)' : ''}
                    </span>
                  </span>
                  {choosable && traceEnds.get(result.id) && (
                    <button
                      type="button"
                      className="button button-small search-trace"
                      tabIndex={-1}
                      title={isReceiver(result) ? 'Start a trace to it' : 'Start a trace from it'}
                      data-testid={isReceiver(result) ? 'search-trace-to' : 'search-trace-from'}
                      onMouseDown={(event) => {
                        event.preventDefault();
                        event.stopPropagation();
                        // Not selected: the trace gets the sidebar, and the view fits its path.
                        const end = traceEnds.get(result.id)!;
                        editTrace(isReceiver(result) ? { to: end } : { from: end });
                        setOpen(false);
                      }}
                    >
                      {isReceiver(result) ? 'Trace to' : 'Trace from'}
                    </button>
                  )}
                </li>
              );
            })}
          </ul>
        </div>
      )}
    </div>
  );
}

/** Results that receive traffic but never send it: a trace can only end at them. */
const isReceiver = (result: SearchResult): boolean => result.kind === 'service' || result.kind === 'ingress' || result.kind === 'gateway';
