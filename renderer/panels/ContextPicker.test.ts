import { describe, expect, test } from 'vitest';
import type { ContextList } from '../../shared/ipc.ts';
import { initialSelection } from './ContextPicker.tsx';
import { countText, serverHost } from './Header.tsx';

const context = (name: string) => ({ name, cluster: name, server: 'https://127.0.0.1:6443', user: name, namespace: null, auth: 'token', warnings: [] });
const list = (preferred: string | null): ContextList => ({ files: ['/k'], contexts: [context('admin'), context('limited')], preferred, error: null });

describe('the context picker', () => {
  test('preselects the preferred context, else the one on screen, else the first, else the demo', () => {
    expect(initialSelection(list('limited'), null)).toBe('context:limited');
    expect(initialSelection(list('gone'), { kind: 'cluster', label: 'limited', note: null })).toBe('context:limited');
    expect(initialSelection(list(null), { kind: 'demo', label: 'Demo cluster', note: null })).toBe('context:admin');
    expect(initialSelection({ files: [], contexts: [], preferred: null, error: 'No kubeconfig found.' }, null)).toBe('demo');
    expect(initialSelection(null, null)).toBe('demo');
  });
});

describe('the header', () => {
  test('shows the server host only', () => {
    expect(serverHost('https://10.0.0.1:6443')).toBe('10.0.0.1:6443');
    expect(serverHost('https://api.example.com')).toBe('api.example.com');
    expect(serverHost(null)).toBeNull();
  });

  test('counts say forbidden rather than zero', () => {
    expect(countText(0, 'nodes', { kind: 'nodes', state: 'forbidden', count: 0, reason: 'no', scope: 'cluster' })).toBe('nodes forbidden');
    expect(countText(40, 'pods', { kind: 'pods', state: 'loading', count: 40, reason: null, scope: 'cluster' })).toBe('40… pods');
    expect(countText(3, 'services', undefined)).toBe('3 services');
  });
});
