// The datapath read as the user goes through it: consent, confirm, progress, report; cancel at
// each step; answers to a request the user walked away from are dropped.
import { describe, expect, test } from 'vitest';
import type { DatapathRead, Events, NodeReadReport } from '../../shared/ipc.ts';
import { createDatapathReadStore } from './datapath.ts';

function fakeApi() {
  const calls: { name: string; payload: unknown; resolve(answer: DatapathRead): void }[] = [];
  let progress: ((payload: Events['didProgressDatapath']) => void) | null = null;
  const api = {
    readDatapath: (payload: unknown) => new Promise<DatapathRead>((resolve) => calls.push({ name: 'readDatapath', payload, resolve })),
    cancelDatapathRead: (payload: unknown) => {
      calls.push({ name: 'cancelDatapathRead', payload, resolve: () => {} });
      return Promise.resolve({ isCancelled: true });
    },
    on: ((event: string, listener: (payload: Events['didProgressDatapath']) => void) => {
      if (event === 'didProgressDatapath') progress = listener;
      return () => (progress = null);
    }) as never,
  };
  return { api, calls, progress: (payload: Events['didProgressDatapath']) => progress?.(payload) };
}

const consent = { text: 'To read…', podNodes: ['n1'], namespace: 'default', image: 'nicolaka/netshoot:v0.15', access: 'allowed' };
const report: NodeReadReport = { node: 'n1', isRead: false, target: null, elapsedMs: 1200, lines: ['node n1: not read after 1.2 s: Pod default/p did not start in time'] };
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the datapath read store', () => {
  test('unconfirmed, then the consent; confirmed, progress per node, then the report', async () => {
    const { api, calls, progress } = fakeApi();
    const reads = createDatapathReadStore(api);
    const started = reads.start(['n1']);
    expect(reads.get()).toMatchObject({ phase: 'reading', isConfirmed: false, lines: [] });
    expect(calls[0]?.payload).toEqual({ nodes: ['n1'] });
    calls[0]?.resolve({ status: 'needs-consent', consent });
    await started;
    expect(reads.get()).toEqual({ phase: 'consent', target: ['n1'], consent });

    const confirmed = reads.confirm();
    expect(calls[1]?.payload).toEqual({ nodes: ['n1'], isConfirmed: true });
    progress({ sessionId: 1, node: 'n1', line: 'node n1: created pod default/p on node n1', done: null });
    progress({ sessionId: 1, node: 'n1', line: report.lines[0]!, done: report });
    expect(reads.get()).toMatchObject({ phase: 'reading', isConfirmed: true, lines: ['node n1: created pod default/p on node n1', report.lines[0]], done: [report] });
    calls[1]?.resolve({ status: 'done', nodes: [report], cancelled: false });
    await confirmed;
    expect(reads.get()).toEqual({ phase: 'report', target: ['n1'], nodes: [report], cancelled: false });
    reads.dismiss();
    expect(reads.get()).toEqual({ phase: 'idle' });
  });

  test('Cancel at the consent creates nothing: no confirmed request is sent', async () => {
    const { api, calls } = fakeApi();
    const reads = createDatapathReadStore(api);
    const started = reads.start('all');
    calls[0]?.resolve({ status: 'needs-consent', consent });
    await started;
    reads.cancel();
    expect(reads.get()).toEqual({ phase: 'idle' });
    expect(calls.map((c) => c.name)).toEqual(['readDatapath']);
  });

  test('Cancel while reading asks the backend to stop and waits for its report', async () => {
    const { api, calls } = fakeApi();
    const reads = createDatapathReadStore(api);
    const started = reads.start(['n1']);
    calls[0]?.resolve({ status: 'needs-consent', consent });
    await started;
    const confirmed = reads.confirm();
    reads.cancel();
    expect(reads.get()).toMatchObject({ phase: 'reading', isCancelling: true });
    expect(calls.map((c) => c.name)).toEqual(['readDatapath', 'readDatapath', 'cancelDatapathRead']);
    calls[1]?.resolve({ status: 'done', nodes: [report], cancelled: true });
    await confirmed;
    expect(reads.get()).toMatchObject({ phase: 'report', cancelled: true });
  });

  test('a refusal and an unavailable source say why; a walked-away request is dropped', async () => {
    const { api, calls } = fakeApi();
    const reads = createDatapathReadStore(api);
    const refused = reads.start(['n1']);
    calls[0]?.resolve({ status: 'refused', reason: 'Not allowed to run a node-debug pod' });
    await refused;
    expect(reads.get()).toMatchObject({ phase: 'refused', title: 'Nothing was read', reason: 'Not allowed to run a node-debug pod' });
    const unavailable = reads.start('all');
    calls[1]?.resolve({ status: 'unavailable', reason: 'This is a snapshot file' });
    await unavailable;
    expect(reads.get()).toMatchObject({ phase: 'refused', title: 'Not available here' });

    const walkedAway = reads.start(['n1']);
    reads.cancel();
    calls[2]?.resolve({ status: 'needs-consent', consent });
    await walkedAway;
    await flush();
    expect(reads.get()).toEqual({ phase: 'idle' });
  });
});
