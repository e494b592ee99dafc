/**
 * A modal's Tab order (the context picker, the datapath dialog): Tab from its last focusable
 * element goes to its first, Shift+Tab from the first to the last, so the focus never leaves it
 * for the page behind.
 */
import type { KeyboardEvent } from 'react';

const focusable = 'button:not([disabled]), input:not([disabled]), select:not([disabled]), summary, [tabindex="0"]';

export function keepTabInside(event: KeyboardEvent, container: HTMLElement): void {
  if (event.key !== 'Tab') return;
  const elements = [...container.querySelectorAll<HTMLElement>(focusable)];
  const first = elements[0];
  const last = elements[elements.length - 1];
  if (!first || !last) return;
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
}
