/**
 * Copy actions: a button that copies a text and says beside itself what happened, and a value
 * (an address, a chain or interface name) shown with its copy button.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { printable } from '../../../shared/text/printable.ts';
import { copyText } from './copy.ts';

type CopyState = { status: 'idle' } | { status: 'copied' } | { status: 'failed'; reason: string };

/**
 * Copies `text` on click and says so beside itself: "Copied", or why the clipboard refused.
 * Icon-sized unless it has children (a labelled action such as "Copy as JSON"). The clipboard
 * gets `text` exactly; the label shows its control characters as escapes.
 */
export function CopyButton({ text, label = `Copy ${printable(text)}`, title, children }: { text: string; label?: string; title?: string; children?: ReactNode }) {
  const [state, setState] = useState<CopyState>({ status: 'idle' });
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // The clipboard answers asynchronously; by then the selection may have changed.
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      if (timer.current) clearTimeout(timer.current);
    };
  }, []);
  const onClick = () => {
    void copyText(text).then((result) => {
      if (!mounted.current) return;
      setState(result.ok ? { status: 'copied' } : { status: 'failed', reason: result.reason });
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(() => setState({ status: 'idle' }), result.ok ? 1500 : 5000);
    });
  };
  return (
    <span className="copy">
      <button type="button" className={children ? 'button button-small' : 'copy-button'} aria-label={label} title={title ?? label} onClick={onClick}>
        {children ?? <CopyIcon done={state.status === 'copied'} />}
      </button>
      <span role="status" className={state.status === 'failed' ? 'copy-status error' : 'copy-status'} data-testid={state.status === 'idle' ? undefined : 'copy-status'}>
        {state.status === 'copied' ? 'Copied' : state.status === 'failed' ? `Not copied. ${state.reason}` : ''}
      </span>
    </span>
  );
}

function CopyIcon({ done }: { done: boolean }) {
  return (
    <svg width="12" height="12" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      {done ? (
        <path d="M3 8.5l3 3 7-7" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />
      ) : (
        <>
          <rect x="5" y="5" width="9" height="9" rx="1.5" fill="none" stroke="currentColor" strokeWidth="1.5" />
          <path d="M11 3.5V3a1 1 0 0 0-1-1H3a1 1 0 0 0-1 1v7a1 1 0 0 0 1 1h.5" fill="none" stroke="currentColor" strokeWidth="1.5" />
        </>
      )}
    </svg>
  );
}

/** A value the user may want elsewhere (an address, a chain or interface name), with its copy button. */
export function Copyable({ value, className, children }: { value: string; className?: string; children?: ReactNode }) {
  return (
    <span className="copyable">
      <code className={className}>{children ?? value}</code>
      <CopyButton text={value} />
    </span>
  );
}
