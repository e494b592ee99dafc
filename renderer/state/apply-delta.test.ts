import { describe, expect, test } from 'vitest';
import type { PodRecord } from '../../shared/model/types.ts';
import { sampleTopology } from '../graph/testing/sample-topology.ts';
import { applyDelta } from './apply-delta.ts';

describe('applyDelta', () => {
  test('adds, updates and removes by id; untouched collections keep their identity', () => {
    const before = sampleTopology();
    const pod = before.pods['pod:uid-backend-2']!;
    const updated: PodRecord = { ...pod, isReady: true };
    const added: PodRecord = { ...pod, id: 'pod:uid-new', uid: 'uid-new', name: 'new', containers: [], veth: null };
    const after = applyDelta(before, { seq: 1, added: [added], updated: [updated], removed: ['svc:shop/db', 'pod:uid-report-7f9c'] });

    expect(after.pods['pod:uid-new']).toBe(added);
    expect(after.pods['pod:uid-backend-2']!.isReady).toBe(true);
    expect(after.pods['pod:uid-report-7f9c']).toBeUndefined();
    expect(after.services['svc:shop/db']).toBeUndefined();
    expect(after.hosts).toBe(before.hosts);
    expect(after.endpoints).toBe(before.endpoints);
    // The input is not modified.
    expect(before.pods['pod:uid-backend-2']!.isReady).toBe(false);
    expect(before.services['svc:shop/db']).toBeDefined();
  });

  test('a delta with cluster info replaces it', () => {
    const before = sampleTopology();
    const cluster = { ...before.cluster, kubernetesVersion: 'v1.35.0' };
    expect(applyDelta(before, { seq: 1, cluster, added: [], updated: [], removed: [] }).cluster).toBe(cluster);
  });
});
