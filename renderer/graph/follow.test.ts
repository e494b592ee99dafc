import { describe, expect, it } from 'vitest';
import { noFilters } from '../../shared/filter.ts';
import { IncrementalDerive } from '../../shared/topology/incremental.ts';
import { generateCluster } from '../../test/fixtures/generate.ts';
import { applyTopologyDelta } from '../state/cluster.ts';
import { followLimit, followTopology } from './follow.ts';

describe('followTopology', () => {
  it('follows a long chain of deltas (a page a second behind at 100 events/s) instead of building anew', () => {
    const objects = generateCluster(1_000);
    const incremental = new IncrementalDerive(objects);
    const start = followTopology(null, incremental.topology, 'node', noFilters).index;
    const flips = 200;
    expect(flips).toBeGreaterThan(64);
    expect(flips).toBeLessThanOrEqual(followLimit(start.list.length));
    let topology = incremental.topology;
    for (let seq = 1; seq <= flips; seq++) {
      const index = (seq * 37) % objects.pods.length;
      const pod = structuredClone(objects.pods[index]!);
      const ready = pod.status!.conditions![0]!;
      ready.status = ready.status === 'True' ? 'False' : 'True';
      objects.pods[index] = pod;
      topology = applyTopologyDelta(topology, incremental.update([{ kind: 'pods', uid: pod.metadata.uid, object: pod }], objects, {}, seq));
    }
    const followed = followTopology(start, topology, 'node', noFilters);
    expect(followed.index).toBe(start);
    expect(followed.index.topology).toBe(topology);
    // What a whole build of the same topology gives.
    const whole = followTopology(null, topology, 'node', noFilters).index;
    expect(new Set(followed.index.list.map((e) => JSON.stringify(e)))).toEqual(new Set(whole.list.map((e) => JSON.stringify(e))));
  });
});
