/**
 * The keyboard shortcuts overlay (issue 5, "Feel"), opened by `?` or the header's "?" button.
 * It lists ../shortcuts.ts, the same table the key handler reads. A modal dialog: the focus moves
 * into it and Tab stays inside; Escape, the Close button or a click outside close it and give
 * the focus back to where it was.
 */
import { useEffect, useId, useRef, type KeyboardEvent } from 'react';
import { keyLabel, shortcuts, type Shortcut } from '../shortcuts.ts';

export interface HelpProps {
  onClose(): void;
  /** The table to list; the app's own by default. */
  table?: readonly Shortcut[];
  /** Write ⌘ rather than Ctrl; guessed from the browser by default. */
  isMac?: boolean;
}

const guessMac = (): boolean => typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.userAgent);

export function Help({ onClose, table = shortcuts, isMac = guessMac() }: HelpProps) {
  const dialog = useRef<HTMLDivElement>(null);
  const closeButton = useRef<HTMLButtonElement>(null);
  const titleId = useId();

  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const node = dialog.current;
    closeButton.current?.focus();
    return () => {
      // Back to where the user was (the "?" button, or the page) unless the focus moved on.
      const active = document.activeElement;
      const isLost = active === null || active === document.body || (node?.contains(active) ?? false);
      if (previous?.isConnected && isLost) previous.focus();
    };
  }, []);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape' || event.key === '?') {
      event.preventDefault();
      event.stopPropagation();
      onClose();
      return;
    }
    // Other keys stay in the dialog: the shortcuts behind a modal do nothing.
    event.stopPropagation();
    if (event.key !== 'Tab' || !dialog.current) return;
    const focusable = [...dialog.current.querySelectorAll<HTMLElement>('button:not([disabled]), [href], [tabindex="0"]')];
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (!first || !last) return;
    if (event.shiftKey && (document.activeElement === first || !dialog.current.contains(document.activeElement))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (document.activeElement === last || !dialog.current.contains(document.activeElement))) {
      event.preventDefault();
      first.focus();
    }
  };

  return (
    <>
      <div className="help-backdrop" onMouseDown={onClose} aria-hidden="true" />
      <div ref={dialog} className="help" role="dialog" aria-modal="true" aria-labelledby={titleId} data-testid="help" onKeyDown={onKeyDown}>
        <div className="help-head">
          <h2 id={titleId}>Keyboard shortcuts</h2>
          <button ref={closeButton} type="button" className="button" onClick={onClose} data-testid="help-close">
            Close
          </button>
        </div>
        <table className="help-table">
          <tbody>
            {table.map((shortcut) => (
              <tr key={shortcut.action} data-action={shortcut.action}>
                <td className="help-keys">
                  {shortcut.keys.map((match, index) => (
                    <span key={keyLabel(match, isMac)}>
                      {index > 0 && <span className="muted"> or </span>}
                      <kbd>{keyLabel(match, isMac)}</kbd>
                    </span>
                  ))}
                </td>
                <td className="help-label">{shortcut.label}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted small help-note">Shortcuts wait while you type in a field; Ctrl/⌘+K and Esc work everywhere.</p>
      </div>
    </>
  );
}
