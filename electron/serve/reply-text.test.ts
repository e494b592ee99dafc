import { describe, expect, it } from 'vitest';
import type { Reply } from '../../shared/ipc.ts';
import { derive } from '../../shared/topology/derive.ts';
import { generateCluster } from '../../test/fixtures/generate.ts';
import { replyText, topologyText, warm } from './reply-text.ts';

const topology = derive(generateCluster(60));
const state = { sessionId: 3, seq: 7, source: { context: 'podpath-topology-', server: null }, topology, kinds: [], layout: null };

describe('replyText', () => {
  it('is the reply as JSON, the topology spliced in where it stands', () => {
    const reply: Reply<unknown> = { ok: true, value: state };
    const text = replyText(41, reply);
    expect(JSON.parse(text)).toEqual({ type: 'reply', id: 41, reply: JSON.parse(JSON.stringify(reply)) });
    expect(text).toBe(JSON.stringify({ type: 'reply', id: 41, reply }));
  });

  it('writes a topology once, however many replies carry it', () => {
    const fresh = derive(generateCluster(30));
    warm({ ok: true, value: { ...state, topology: fresh } });
    const written = topologyText(fresh);
    expect(topologyText(fresh)).toBe(written);
    expect(replyText(1, { ok: true, value: { ...state, topology: fresh } })).toContain(written);
  });

  it('leaves replies without a topology, and errors, as JSON.stringify writes them', () => {
    const plain: Reply<unknown> = { ok: true, value: { contexts: [{ name: 'topology' }], topology: null } };
    expect(replyText(2, plain)).toBe(JSON.stringify({ type: 'reply', id: 2, reply: plain }));
    const failed: Reply<unknown> = { ok: false, error: { code: 'failed', message: 'no source is open' } };
    expect(replyText(3, failed)).toBe(JSON.stringify({ type: 'reply', id: 3, reply: failed }));
    warm(failed);
  });
});
