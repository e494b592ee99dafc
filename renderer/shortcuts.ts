/**
 * Keyboard shortcuts (issue 5, "Feel"): one table drives both the key handler and the help
 * overlay, so the overlay can never list a key that does nothing.
 *
 * Keys are ignored while the user types in a text field, a select or an editable element, and
 * when Ctrl, ⌘ or Alt is held (so the browser's and the OS's own shortcuts keep working), except
 * the entries marked `mod` (Ctrl/⌘+K for search) and Escape, which always close overlays.
 */

export type ShortcutAction =
  | 'search'
  | 'fit'
  | 'zoomIn'
  | 'zoomOut'
  | 'resetZoom'
  | 'relayout'
  | 'grouping'
  | 'trace'
  | 'exportImage'
  | 'exportSnapshot'
  | 'openSnapshot'
  | 'contexts'
  | 'filters'
  | 'contextMenu'
  | 'help'
  | 'close';

/** One key that triggers a shortcut. */
export interface KeyMatch {
  /** `KeyboardEvent.key`; letters match in either case, Shift is told apart by `shift`. */
  key: string;
  /** Shift must be held (true) or not (false); undefined for symbols, whose key already says it. */
  shift?: boolean;
  /** Ctrl (or ⌘ on a Mac) must be held; such a key also works while typing. */
  mod?: boolean;
}

export interface Shortcut {
  action: ShortcutAction;
  /** What it does, as the help overlay lists it. */
  label: string;
  keys: KeyMatch[];
}

export const shortcuts: readonly Shortcut[] = [
  { action: 'search', label: 'Search', keys: [{ key: '/' }, { key: 'k', mod: true }] },
  { action: 'fit', label: 'Fit the whole graph in view', keys: [{ key: 'f', shift: false }] },
  { action: 'zoomIn', label: 'Zoom in', keys: [{ key: '+' }, { key: '=' }] },
  { action: 'zoomOut', label: 'Zoom out', keys: [{ key: '-' }] },
  { action: 'resetZoom', label: 'Reset the zoom (fit)', keys: [{ key: '0' }] },
  { action: 'relayout', label: 'Re-layout the graph', keys: [{ key: 'r', shift: false }] },
  { action: 'grouping', label: 'Group by node / by namespace', keys: [{ key: 'g', shift: false }] },
  { action: 'trace', label: 'Open or close the trace panel', keys: [{ key: 't', shift: false }] },
  { action: 'exportImage', label: 'Export an image…', keys: [{ key: 'e', shift: false }] },
  { action: 'exportSnapshot', label: 'Export a snapshot', keys: [{ key: 's', shift: false }] },
  { action: 'openSnapshot', label: 'Open a snapshot…', keys: [{ key: 'o', shift: false }] },
  { action: 'contexts', label: 'Open a cluster context…', keys: [{ key: 'c', shift: false }] },
  { action: 'filters', label: 'Filters', keys: [{ key: 'f', shift: true }] },
  { action: 'contextMenu', label: "The selected element's menu", keys: [{ key: 'ContextMenu' }, { key: 'F10', shift: true }] },
  { action: 'help', label: 'Keyboard shortcuts (this list)', keys: [{ key: '?' }] },
  { action: 'close', label: 'Close a dialog, panel or list', keys: [{ key: 'Escape' }] },
];

/** What the dispatcher needs of a keydown event (a DOM KeyboardEvent fits). */
export interface KeyEventLike {
  key: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  target?: unknown;
}

/** Whether the event comes from somewhere the user types: a text field, a select, editable text. */
export function isTypingTarget(target: unknown): boolean {
  if (typeof target !== 'object' || target === null) return false;
  const element = target as { tagName?: unknown; isContentEditable?: unknown };
  if (element.isContentEditable === true) return true;
  return typeof element.tagName === 'string' && ['INPUT', 'TEXTAREA', 'SELECT'].includes(element.tagName.toUpperCase());
}

function matches(match: KeyMatch, event: KeyEventLike): boolean {
  const isLetter = /^[a-z]$/i.test(match.key);
  if (isLetter ? event.key.toLowerCase() !== match.key : event.key !== match.key) return false;
  if (match.shift !== undefined && event.shiftKey !== match.shift) return false;
  return true;
}

/** The action a keydown asks for, or null: the one place that decides what a key does. */
export function shortcutFor(event: KeyEventLike): ShortcutAction | null {
  const hasMod = event.ctrlKey || event.metaKey;
  const isTyping = isTypingTarget(event.target);
  for (const shortcut of shortcuts) {
    for (const match of shortcut.keys) {
      if (!matches(match, event)) continue;
      if (match.mod) {
        if (hasMod && !event.altKey) return shortcut.action;
        continue;
      }
      if (match.key === 'Escape') return shortcut.action;
      if (hasMod || event.altKey || isTyping) continue;
      return shortcut.action;
    }
  }
  return null;
}

/** How a key is written in the help overlay: `Ctrl+K` or `⌘K`, `Shift+F`, `Esc`. */
export function keyLabel(match: KeyMatch, isMac: boolean): string {
  const name = match.key === 'Escape' ? 'Esc' : match.key === 'ContextMenu' ? 'Menu' : /^[a-z]$/i.test(match.key) ? (match.shift || match.mod ? match.key.toUpperCase() : match.key) : match.key;
  if (match.mod) return isMac ? `⌘${name}` : `Ctrl+${name}`;
  if (match.shift) return `Shift+${name}`;
  return name;
}
