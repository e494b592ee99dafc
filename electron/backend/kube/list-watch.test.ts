import { describe, expect, it } from 'vitest';
import { relistChanges } from './list-watch.ts';

describe('relistChanges', () => {
  const pod = (phase: string, labels: Record<string, string> = {}) => ({ metadata: { name: 'p', labels }, status: { phase } });

  it('lists what was added, changed and removed while the watch was away, and nothing else', () => {
    const cached = new Map([
      ['same', pod('Running', { app: 'web' })],
      ['changed', pod('Pending')],
      ['gone', pod('Running')],
    ]);
    const listed = new Map([
      // Equal but not the same object, its keys in another order: unchanged.
      ['same', { status: { phase: 'Running' }, metadata: { labels: { app: 'web' }, name: 'p' } }],
      ['changed', pod('Running')],
      ['new', pod('Pending')],
    ]);
    expect(relistChanges(cached, listed)).toEqual([
      { uid: 'changed', object: pod('Running') },
      { uid: 'new', object: pod('Pending') },
      { uid: 'gone', object: null },
    ]);
  });

  it('finds nothing to do when the relist brings back the cache', () => {
    const cached = new Map([['a', pod('Running')]]);
    expect(relistChanges(cached, new Map([['a', pod('Running')]]))).toEqual([]);
  });
});
