import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, test } from 'vitest';
import { Help } from './panels/Help.tsx';
import { keyLabel, shortcutFor, shortcuts, type KeyEventLike } from './shortcuts.ts';

const key = (k: string, extra: Partial<KeyEventLike> = {}): KeyEventLike => ({ key: k, shiftKey: false, ctrlKey: false, metaKey: false, altKey: false, target: { tagName: 'BODY' }, ...extra });
const input = { tagName: 'INPUT' };

describe('shortcutFor', () => {
  test('each key of the table', () => {
    expect(shortcutFor(key('/'))).toBe('search');
    expect(shortcutFor(key('k', { ctrlKey: true }))).toBe('search');
    expect(shortcutFor(key('k', { metaKey: true }))).toBe('search');
    expect(shortcutFor(key('f'))).toBe('fit');
    expect(shortcutFor(key('+', { shiftKey: true }))).toBe('zoomIn');
    expect(shortcutFor(key('='))).toBe('zoomIn');
    expect(shortcutFor(key('-'))).toBe('zoomOut');
    expect(shortcutFor(key('0'))).toBe('resetZoom');
    expect(shortcutFor(key('r'))).toBe('relayout');
    expect(shortcutFor(key('e'))).toBe('exportImage');
    expect(shortcutFor(key('s'))).toBe('exportSnapshot');
    expect(shortcutFor(key('o'))).toBe('openSnapshot');
    expect(shortcutFor(key('c'))).toBe('contexts');
    expect(shortcutFor(key('F', { shiftKey: true }))).toBe('filters');
    expect(shortcutFor(key('?', { shiftKey: true }))).toBe('help');
    expect(shortcutFor(key('Escape'))).toBe('close');
  });

  test('Shift tells Filters from Fit; Caps Lock alone does not', () => {
    expect(shortcutFor(key('F'))).toBe('fit');
    expect(shortcutFor(key('R', { shiftKey: true }))).toBeNull();
  });

  test('unknown keys do nothing', () => {
    for (const k of ['x', 'Enter', ' ', 'ArrowUp', 'k', 'F5']) expect(shortcutFor(key(k)), k).toBeNull();
  });

  test('ignored while typing in an input, a textarea, a select or editable text', () => {
    for (const target of [input, { tagName: 'TEXTAREA' }, { tagName: 'SELECT' }, { tagName: 'DIV', isContentEditable: true }, { tagName: 'input' }]) {
      for (const k of ['/', 'f', '+', '-', '0', 'r', 'e', 's', 'o', 'c', '?']) expect(shortcutFor(key(k, { target })), `${k} in ${target.tagName}`).toBeNull();
      expect(shortcutFor(key('F', { shiftKey: true, target }))).toBeNull();
    }
  });

  test('Ctrl/⌘+K and Escape work while typing', () => {
    expect(shortcutFor(key('k', { ctrlKey: true, target: input }))).toBe('search');
    expect(shortcutFor(key('Escape', { target: input }))).toBe('close');
  });

  test('ignored with Ctrl, ⌘ or Alt held, so the browser keeps its own shortcuts', () => {
    for (const mod of [{ ctrlKey: true }, { metaKey: true }, { altKey: true }]) {
      for (const k of ['f', '+', '-', '0', 'r', 'e', 's', 'o', 'c', '/', '?']) expect(shortcutFor(key(k, mod)), `${k} with ${Object.keys(mod)[0]}`).toBeNull();
    }
    expect(shortcutFor(key('k', { ctrlKey: true, altKey: true }))).toBeNull();
  });

  test("the menu key and Shift+F10 open the selected element's menu; F10 alone does nothing", () => {
    expect(shortcutFor(key('ContextMenu'))).toBe('contextMenu');
    expect(shortcutFor(key('F10', { shiftKey: true }))).toBe('contextMenu');
    expect(shortcutFor(key('F10'))).toBeNull();
  });

  test('no target (a synthetic event) counts as not typing', () => {
    expect(shortcutFor({ key: 'f', shiftKey: false, ctrlKey: false, metaKey: false, altKey: false })).toBe('fit');
  });

  test('the table is unambiguous: no key event maps to two actions', () => {
    const seen = new Map<string, string>();
    for (const s of shortcuts) {
      for (const m of s.keys) {
        for (const shift of m.shift === undefined ? [false, true] : [m.shift]) {
          const id = `${m.key.toLowerCase()}|${shift}|${m.mod ?? false}`;
          expect(seen.get(id), id).toBeUndefined();
          seen.set(id, s.action);
        }
      }
    }
  });
});

describe('keyLabel', () => {
  test('written for the platform', () => {
    expect(keyLabel({ key: 'k', mod: true }, false)).toBe('Ctrl+K');
    expect(keyLabel({ key: 'k', mod: true }, true)).toBe('⌘K');
    expect(keyLabel({ key: 'f', shift: true }, false)).toBe('Shift+F');
    expect(keyLabel({ key: 'f', shift: false }, false)).toBe('f');
    expect(keyLabel({ key: 'Escape' }, false)).toBe('Esc');
    expect(keyLabel({ key: 'ContextMenu' }, false)).toBe('Menu');
    expect(keyLabel({ key: 'F10', shift: true }, false)).toBe('Shift+F10');
  });
});

describe('Help', () => {
  test('a modal dialog listing every shortcut of the table', () => {
    const html = renderToStaticMarkup(createElement(Help, { onClose: () => {}, isMac: false }));
    expect(html).toContain('role="dialog"');
    expect(html).toContain('aria-modal="true"');
    expect(html).toContain('data-testid="help"');
    for (const s of shortcuts) expect(html).toContain(`data-action="${s.action}"`);
    expect(html).toContain('<kbd>Ctrl+K</kbd>');
    expect(html).toContain('<kbd>Shift+F</kbd>');
    expect(html).toContain('Fit the whole graph in view');
  });
});
