import { describe, expect, test, vi } from 'vitest';
import { socketProtocols } from '../../shared/ipc.ts';
import { takeToken, type TokenPlace } from './token.ts';

function place(hash: string, stored: Record<string, string> = {}, options: { isStorageRefused?: boolean } = {}) {
  const storage = new Map(Object.entries(stored));
  const replaceState = vi.fn();
  const refuse = () => {
    throw new DOMException('denied', 'SecurityError');
  };
  const at: TokenPlace = {
    location: { hash, pathname: '/', search: '?renderer=canvas' },
    history: { state: { kept: true }, replaceState },
    storage: {
      getItem: options.isStorageRefused ? refuse : (key) => storage.get(key) ?? null,
      setItem: options.isStorageRefused ? refuse : (key, value) => void storage.set(key, value),
    },
  };
  return { at, storage, replaceState };
}

describe('takeToken', () => {
  test('takes the token from the fragment, keeps it for this tab, and removes it from the address', () => {
    const { at, storage, replaceState } = place('#token=Abc-_123');
    expect(takeToken(at)).toBe('Abc-_123');
    expect(storage.get('podpath.token')).toBe('Abc-_123');
    // The query stays (e.g. ?renderer=), the state too; only the fragment goes.
    expect(replaceState).toHaveBeenCalledWith({ kept: true }, '', '/?renderer=canvas');
  });

  test('a reload finds it in sessionStorage, the address untouched', () => {
    const { at, replaceState } = place('', { 'podpath.token': 'stored' });
    expect(takeToken(at)).toBe('stored');
    expect(replaceState).not.toHaveBeenCalled();
  });

  test('a newer token in the address wins over the stored one', () => {
    expect(takeToken(place('#a=1&token=new', { 'podpath.token': 'old' }).at)).toBe('new');
  });

  test('no token anywhere, or a fragment that only looks like one: null', () => {
    expect(takeToken(place('').at)).toBeNull();
    expect(takeToken(place('#token=').at)).toBeNull();
    expect(takeToken(place('#token=a b').at)).toBeNull();
    expect(takeToken(place('#mytoken=x').at)).toBeNull();
  });

  test('storage refused: the token still serves this page, and still leaves the address', () => {
    const { at, replaceState } = place('#token=abc', {}, { isStorageRefused: true });
    expect(takeToken(at)).toBe('abc');
    expect(replaceState).toHaveBeenCalled();
    expect(takeToken(place('', {}, { isStorageRefused: true }).at)).toBeNull();
  });

  test('the handshake offers `podpath`, and the token beside it when there is one', () => {
    expect(socketProtocols('abc')).toEqual(['podpath', 'podpath.token.abc']);
    expect(socketProtocols(null)).toEqual(['podpath']);
  });
});
