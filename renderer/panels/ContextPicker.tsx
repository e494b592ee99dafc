/**
 * The context picker: every context of the kubeconfig the backend read (never credentials), the
 * preferred one preselected, and the bundled demo. Opening one replaces the picture only once it
 * has opened; a failure keeps the current picture and shows the backend's message whole, since it
 * names the cause and the next step.
 *
 * Keyboard: the list has the focus when the picker opens; ↑/↓/Home/End choose, Enter opens,
 * Escape closes and gives the focus back to the header. Tab stays inside the picker.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { ContextInfo, ContextList, SourceInfo } from '../../shared/ipc.ts';
import type { ClusterStore } from '../state/cluster.ts';
import { describeTarget, parseNamespaces, type Opener, type OpenRequest } from '../state/opening.ts';
import { useStore } from '../state/store.ts';
import { keepTabInside } from './focus-trap.ts';

export interface ContextPickerProps {
  cluster: Pick<ClusterStore, 'listContexts'>;
  opener: Opener;
  /** What is on screen now, to mark it in the list. */
  current: SourceInfo | null;
  onClose(): void;
}

type Listing = { state: 'loading' } | { state: 'ready'; list: ContextList } | { state: 'failed'; message: string };

const demoKey = 'demo';
const keyOf = (context: ContextInfo): string => `context:${context.name}`;

/** The entry to preselect: the backend's preferred context, else the one on screen, else the first. */
export function initialSelection(list: ContextList | null, current: SourceInfo | null): string {
  const names = new Set(list?.contexts.map((c) => c.name) ?? []);
  if (list?.preferred && names.has(list.preferred)) return `context:${list.preferred}`;
  if (current?.kind === 'cluster' && names.has(current.label)) return `context:${current.label}`;
  const first = list?.contexts[0];
  return first ? keyOf(first) : demoKey;
}

export function ContextPicker({ cluster, opener, current, onClose }: ContextPickerProps) {
  const [listing, setListing] = useState<Listing>({ state: 'loading' });
  const [selected, setSelected] = useState<string>(demoKey);
  const [namespacesText, setNamespacesText] = useState('');
  const { busy, failure } = useStore(opener);
  const dialogRef = useRef<HTMLDivElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const id = useId();

  useEffect(() => {
    let isCurrent = true;
    cluster.listContexts().then(
      (list) => {
        if (!isCurrent) return;
        setListing({ state: 'ready', list });
        setSelected(initialSelection(list, current));
      },
      (error: unknown) => {
        if (!isCurrent) return;
        setListing({ state: 'failed', message: error instanceof Error ? error.message : String(error) });
        setSelected(demoKey);
      },
    );
    return () => {
      isCurrent = false;
    };
    // Listed once per opening of the picker.
  }, []);

  useEffect(() => {
    listRef.current?.focus();
  }, []);

  const contexts = listing.state === 'ready' ? listing.list.contexts : [];
  const keys = [...contexts.map(keyOf), demoKey];
  // Context names may hold characters an id may not: options are named by position.
  const optionId = (key: string): string => `${id}-option-${keys.indexOf(key)}`;
  const selectedContext = contexts.find((c) => keyOf(c) === selected) ?? null;
  const { namespaces, invalid } = parseNamespaces(namespacesText);
  const isDemo = selected === demoKey;
  const canOpen = !busy && (isDemo || (selectedContext !== null && invalid.length === 0));

  function targetOf(key: string): OpenRequest | null {
    if (key === demoKey) return { kind: 'demo' };
    const context = contexts.find((c) => keyOf(c) === key);
    return context ? { kind: 'context', context: context.name, namespaces } : null;
  }

  async function openSelected(): Promise<void> {
    const target = targetOf(selected);
    if (!target || !canOpen) return;
    if (await opener.open(target)) onClose();
  }

  function onListKey(event: KeyboardEvent<HTMLUListElement>): void {
    const index = Math.max(0, keys.indexOf(selected));
    const move: Record<string, number> = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: keys.length - 1 };
    if (event.key in move) {
      event.preventDefault();
      const next = keys[Math.min(keys.length - 1, Math.max(0, move[event.key]!))]!;
      setSelected(next);
      document.getElementById(optionId(next))?.scrollIntoView({ block: 'nearest' });
    } else if (event.key === 'Enter') {
      event.preventDefault();
      void openSelected();
    }
  }

  function onDialogKey(event: KeyboardEvent<HTMLDivElement>): void {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      onClose();
      return;
    }
    if (dialogRef.current) keepTabInside(event, dialogRef.current);
  }

  const isOpenNow = (context: ContextInfo): boolean => current?.kind === 'cluster' && current.label === context.name;
  const listError = listing.state === 'failed' ? `Could not list the kubeconfig's contexts: ${listing.message}` : listing.state === 'ready' ? listing.list.error : null;

  return (
    <>
      <div className="picker-backdrop" onMouseDown={onClose} aria-hidden="true" />
      <div
        ref={dialogRef}
        className="picker"
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        data-testid="context-picker"
        onKeyDown={onDialogKey}
      >
        <div className="picker-head">
          <h2 id={`${id}-title`}>Open a cluster</h2>
          {listing.state === 'ready' && listing.list.files.length > 0 && (
            <div className="picker-files muted small" title={listing.list.files.join('\n')}>
              kubeconfig {listing.list.files.join(', ')}
            </div>
          )}
        </div>

        {listing.state === 'loading' && <p className="muted picker-note">Reading the kubeconfig…</p>}
        {listError && (
          <div className="picker-message" data-testid="contexts-error">
            {listError}
          </div>
        )}

        <form
          className="picker-form"
          aria-busy={busy !== null}
          onSubmit={(event) => {
            event.preventDefault();
            void openSelected();
          }}
        >
          <ul
            ref={listRef}
            className="picker-list"
            role="listbox"
            aria-label="Contexts"
            aria-activedescendant={optionId(selected)}
            tabIndex={0}
            onKeyDown={onListKey}
          >
            {contexts.map((context) => (
              <li
                key={context.name}
                id={optionId(keyOf(context))}
                role="option"
                aria-selected={selected === keyOf(context)}
                className="picker-option"
                data-context={context.name}
                onClick={() => setSelected(keyOf(context))}
                onDoubleClick={() => void openSelected()}
              >
                <div className="picker-option-title">
                  <span className="picker-option-name">{context.name}</span>
                  {isOpenNow(context) && <span className="badge">open</span>}
                  {context.warnings.map((warning) => (
                    <span key={warning} className="badge badge-warning" title={warning}>
                      ⚠ {warning}
                    </span>
                  ))}
                </div>
                <dl className="picker-facts">
                  <dt>cluster</dt>
                  <dd>{context.cluster}</dd>
                  <dt>server</dt>
                  <dd>{context.server ?? <span className="muted">not set</span>}</dd>
                  <dt>namespace</dt>
                  <dd>{context.namespace ?? <span className="muted">default</span>}</dd>
                  <dt>auth</dt>
                  <dd>
                    {context.auth}
                    {context.user ? <span className="muted"> · user {context.user}</span> : null}
                  </dd>
                </dl>
              </li>
            ))}
            <li
              id={optionId(demoKey)}
              role="option"
              aria-selected={isDemo}
              className="picker-option picker-demo"
              data-testid="demo-option"
              onClick={() => setSelected(demoKey)}
              onDoubleClick={() => void openSelected()}
            >
              <div className="picker-option-title">
                <span className="picker-option-name">Demo cluster</span>
                {current?.kind === 'demo' && <span className="badge">open</span>}
              </div>
              <div className="muted small">The bundled three-node example; needs no cluster.</div>
            </li>
          </ul>

          <label className="picker-field">
            <span>Extra namespaces</span>
            <input
              type="text"
              value={namespacesText}
              onChange={(event) => setNamespacesText(event.target.value)}
              placeholder="team-a, team-b"
              disabled={isDemo}
              spellCheck={false}
              autoComplete="off"
              aria-describedby={`${id}-ns-help`}
              aria-invalid={invalid.length > 0}
            />
          </label>
          <p id={`${id}-ns-help`} className="muted small picker-help">
            If you may not list objects cluster-wide, Podpath reads them in the context's namespace
            {selectedContext?.namespace ? ` (${selectedContext.namespace})` : ''} and in these, comma-separated.
          </p>
          {invalid.length > 0 && (
            <p className="error small" role="alert">
              Not a namespace name: {invalid.join(', ')}
            </p>
          )}

          {failure && (
            <div className="picker-failure" role="alert" data-testid="open-error">
              <strong>Could not open {describeTarget(failure.target)}.</strong> The current picture is kept.
              <pre className="picker-failure-message">{failure.message}</pre>
            </div>
          )}

          <div className="picker-actions">
            {busy && (
              <span className="muted" role="status">
                Opening {describeTarget(busy)}…
              </span>
            )}
            <div className="spacer" />
            <button type="button" className="button" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="button button-primary" disabled={!canOpen}>
              {busy ? 'Opening…' : 'Open'}
            </button>
          </div>
        </form>
      </div>
    </>
  );
}
