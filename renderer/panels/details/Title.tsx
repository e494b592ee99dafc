/**
 * The head of every details view: the element's kind and name, and the actions on the whole
 * element (copy its name, copy the description as JSON, trace from or to it).
 */
import { createContext, useContext } from 'react';
import type { ElementDescription } from '../../../shared/describe/types.ts';
import { printable } from '../../../shared/text/printable.ts';
import { editTrace } from '../../state/ui.ts';
import { CopyButton } from './CopyButton.tsx';
import { copyableName, descriptionJson } from './copy.ts';

/**
 * The selected element's description. Provided by the panel's frame so each kind's view passes
 * only its kind and name to the title, not the whole description.
 */
export const DescriptionContext = createContext<ElementDescription | null>(null);
/** The selected element as a trace end (`shop/frontend-1`, `svc/shop/backend`), if it can be one. */
export const TraceEndContext = createContext<string | null>(null);

export function Title({ kind, name, namespace }: { kind: string; name: string; namespace?: string }) {
  const description = useContext(DescriptionContext);
  const copyName = description ? copyableName(description) : null;
  const traceEnd = useContext(TraceEndContext);
  return (
    <header className="details-title">
      <div className="details-kind">{kind}</div>
      {/* A control character in a name draws nothing (or a box): shown as its escape instead. */}
      <h2>
        {printable(name)}
        {copyName && <CopyButton text={copyName} />}
      </h2>
      {namespace && <div className="muted">namespace {printable(namespace)}</div>}
      {description && (
        <div className="details-actions">
          <CopyButton text={descriptionJson(description)} label="Copy as JSON" title="Copy everything this panel shows, as JSON (the podpath describe record)">
            Copy as JSON
          </CopyButton>
          {traceEnd && (
            <>
              <button type="button" className="button button-small" data-testid="trace-from-here" title={`Trace from ${traceEnd}`} onClick={() => editTrace({ from: traceEnd })}>
                Trace from here
              </button>
              <button type="button" className="button button-small" data-testid="trace-to-here" title={`Trace to ${traceEnd}`} onClick={() => editTrace({ to: traceEnd })}>
                Trace to here
              </button>
            </>
          )}
        </div>
      )}
    </header>
  );
}
