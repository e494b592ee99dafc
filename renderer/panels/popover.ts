/**
 * A header popover's open state (the Filters and Problems panels): it closes on a pointer press
 * outside it, and on Escape, which gives the focus back to the button that opened it.
 */
import { useEffect, useRef, useState, type RefObject } from 'react';

export interface Popover {
  isOpen: boolean;
  setOpen(isOpen: boolean | ((was: boolean) => boolean)): void;
  /** The popover with its button: a press inside it does not close it. */
  root: RefObject<HTMLDivElement | null>;
  button: RefObject<HTMLButtonElement | null>;
}

export function usePopover(): Popover {
  const [isOpen, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
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
  return { isOpen, setOpen, root, button };
}
