/**
 * A watch event's last step before paint, measured in plain Node on headless cytoscape: one pod's
 * readiness flips, and the graph adapter applies the delta — through the element index, which
 * rebuilds only the owners the delta touches, against a rebuild of every element from the whole
 * topology (what happens on a resync). Layout, level of detail and the cytoscape batch are in
 * both; painting is not (bench-renderer.ts measures frames in Chromium).
 */
import cytoscape from 'cytoscape';
import type { Topology } from '../shared/model/types.ts';
import { derive } from '../shared/topology/derive.ts';
import { applyDelta, diff } from '../shared/topology/diff.ts';
import { GraphAdapter } from '../renderer/graph/adapter.ts';
import { fallbackTheme } from '../renderer/graph/theme.ts';
import { applyTopologyDelta } from '../renderer/state/cluster.ts';
import { generateCluster } from '../test/fixtures/generate.ts';

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

export function benchGraphDelta(sizes: number[], runs = 11): void {
  console.log('\none-pod delta to the cytoscape graph (headless, no paint), median of', runs);
  console.log('pods      through the element index   every element rebuilt');
  for (const pods of sizes) {
    const objects = generateCluster(pods);
    const start = derive(objects);
    const figures = { delta: [] as number[], whole: [] as number[] };
    for (const mode of ['delta', 'whole'] as const) {
      const cy = cytoscape({ headless: true, styleEnabled: true });
      const adapter = new GraphAdapter(cy);
      adapter.setTheme(fallbackTheme);
      adapter.setTopology(start);
      let topology: Topology = start;
      const changed = structuredClone(objects);
      for (let i = 0; i < runs; i++) {
        const pod = changed.pods[(i * 7919) % pods]!;
        pod.status!.conditions = (pod.status!.conditions ?? []).map((c) => (c.type === 'Ready' ? { ...c, status: c.status === 'True' ? 'False' : 'True' } : c));
        const delta = diff(topology, derive(changed), i + 1);
        const next = mode === 'delta' ? applyTopologyDelta(topology, delta) : applyDelta(topology, delta);
        const t0 = performance.now();
        adapter.setTopology(next);
        figures[mode].push(performance.now() - t0);
        topology = next;
      }
      cy.destroy();
    }
    console.log(`${String(pods).padEnd(9)} ${median(figures.delta).toFixed(1).padStart(10)} ms ${median(figures.whole).toFixed(1).padStart(24)} ms`);
  }
}
