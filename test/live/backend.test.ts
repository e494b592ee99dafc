// The backend both doors use, on a live context: contexts, opening, failing, switching.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, test } from 'vitest';
import type { EventName, Events } from '../../shared/ipc.ts';
import { openBackend } from '../../electron/backend/backend.ts';
import { parseSnapshot } from '../../shared/snapshot/format.ts';
import { waitFor } from '../cluster/harness.ts';

const kubeconfig = inject('kubeconfig');
if (!kubeconfig) console.log('skipped: live backend tests need the test control plane (see "control plane unavailable" above)');

describe.skipIf(!kubeconfig)('the backend on a live context', () => {
  test('lists contexts, opens one, keeps the picture when another fails, and closes sessions it leaves', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'podpath-state-')), 'contexts.json');
    const backend = await openBackend({ kind: 'demo' }, { kubeconfigPaths: [kubeconfig], stateFile, session: { coalesceMs: 50 } });
    const events: { name: EventName; payload: Events[EventName] }[] = [];
    backend.onEvent((name, payload) => events.push({ name, payload }));
    const sockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
    const baseline = sockets();
    try {
      const list = await backend.handlers.listContexts({});
      expect(list.contexts.map((c) => c.name).sort()).toEqual(['admin', 'cert', 'limited']);
      expect(list.preferred).toBe('admin');
      expect(list.contexts.find((c) => c.name === 'cert')?.auth).toBe('client-certificate');
      const secrets = [...readFileSync(kubeconfig, 'utf8').matchAll(/token: (\S+)/g)].map((m) => m[1]!);
      expect(secrets.length).toBeGreaterThan(0);
      for (const secret of secrets) expect(JSON.stringify(list)).not.toContain(secret);
      expect(JSON.stringify(list)).not.toMatch(/BEGIN/);

      const limited = await backend.handlers.openContext({ context: 'limited', namespaces: ['team-b'] });
      expect(limited.source).toMatchObject({ kind: 'cluster', label: 'limited' });
      expect(limited.kinds.find((k) => k.kind === 'nodes')?.state).toBe('forbidden');
      // Remembered: the next listing prefers it.
      expect((await backend.handlers.listContexts({})).preferred).toBe('limited');

      await expect(backend.handlers.openContext({ context: 'nope' })).rejects.toThrow(/nope/);
      const after = await backend.handlers.getState({});
      expect(after.sessionId).toBe(limited.sessionId);
      expect(after.source.label).toBe('limited');

      const admin = await backend.handlers.openContext({ context: 'admin' });
      expect(admin.sessionId).toBeGreaterThan(limited.sessionId);
      expect(admin.kinds.find((k) => k.kind === 'nodes')?.state).toBe('live');
      expect(admin.topology.services['svc:default/kubernetes']?.clusterIPs).toEqual(['10.96.0.1']);

      // The live picture exports as it is now: it parses, and no credential is in it.
      const exported = await backend.handlers.exportSnapshot({});
      expect(exported.fileName).toMatch(/^admin-\d{8}-\d{6}\.podpath\.json\.gz$/);
      const snapshot = parseSnapshot(exported.text, exported.fileName);
      expect(snapshot.source).toMatchObject({ context: 'admin', server: expect.stringMatching(/^https:\/\/[^/@]+$/) });
      expect(snapshot.objects.services.some((s) => s.metadata.name === 'kubernetes')).toBe(true);
      for (const secret of secrets) expect(exported.text).not.toContain(secret);
      expect(exported.text).not.toMatch(/BEGIN|client-key|last-applied-configuration|managedFields/);

      // Back to the demo: the live session's watches are closed.
      const demo = await backend.handlers.openDemo({});
      expect(demo.source.kind).toBe('demo');
      await waitFor(() => sockets() <= baseline, 15_000, `sockets back to ${baseline}`);
      // Nothing from a closed session reaches the renderer after the switch.
      const count = events.length;
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(events.slice(count).filter((e) => (e.payload as { sessionId: number }).sessionId !== demo.sessionId)).toEqual([]);
    } finally {
      await backend.close();
    }
  });
});
