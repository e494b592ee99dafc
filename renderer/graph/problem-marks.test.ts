// The doctor's marks on the graph (adapter.ts markProblems), on headless cytoscape: the subject
// ringed by severity, or the fold that stands for it (a node's, a Services group's, a block of
// nodes'); kept through redraws; cleared.
import cytoscape from 'cytoscape';
import { describe, expect, test } from 'vitest';
import type { Severity } from '../../shared/doctor/types.ts';
import { derive } from '../../shared/topology/derive.ts';
import { generateCluster } from '../../test/fixtures/generate.ts';
import { GraphAdapter } from './adapter.ts';
import { sampleObjects } from './testing/sample-topology.ts';
import { fallbackTheme } from './theme.ts';

function headless(): { cy: cytoscape.Core; adapter: GraphAdapter } {
  const cy = cytoscape({ headless: true, styleEnabled: true });
  const adapter = new GraphAdapter(cy);
  adapter.setTheme(fallbackTheme);
  return { cy, adapter };
}

describe('GraphAdapter.markProblems', () => {
  test('rings each subject by its severity, not its neighbours; kept through a live update; cleared', () => {
    const { cy, adapter } = headless();
    const objects = sampleObjects();
    adapter.setTopology(derive(objects));
    adapter.markProblems(new Map<string, Severity>([['svc:shop/backend', 'error'], ['pod:uid-backend-1', 'warning']]));
    expect(adapter.problemIds()).toEqual([{ id: 'pod:uid-backend-1', severity: 'warning' }, { id: 'svc:shop/backend', severity: 'error' }]);
    expect(cy.getElementById('svc:shop/backend').hasClass('has-problem-warning')).toBe(false);
    // The stylesheet draws it: a dashed ring outside the border.
    expect(cy.getElementById('svc:shop/backend').style('outline-style')).toBe('dashed');
    expect(cy.getElementById('svc:shop/frontend').style('outline-width')).toBe('0px');

    // A live update redraws what changed: the marks stay.
    const changed = structuredClone(objects);
    changed.pods[0]!.metadata.labels = { ...changed.pods[0]!.metadata.labels, touched: 'yes' };
    adapter.setTopology(derive(changed));
    expect(adapter.problemIds().map((p) => p.id)).toEqual(['pod:uid-backend-1', 'svc:shop/backend']);

    adapter.markProblems(new Map());
    expect(adapter.problemIds()).toEqual([]);
  });

  test('a folded subject rings the fold that stands for it, with the worst severity of what it holds', () => {
    const { cy, adapter } = headless();
    const topology = derive(generateCluster(3_000));
    adapter.setTopology(topology);
    const service = Object.values(topology.services)[0]!;
    const [pod, other] = Object.values(topology.pods).filter((p) => p.host === 'node:node-1');
    expect(cy.getElementById(service.id).empty() && cy.getElementById(pod!.id).empty(), 'folded at this size').toBe(true);
    adapter.markProblems(new Map<string, Severity>([[service.id, 'warning'], [pod!.id, 'warning'], [other!.id, 'error']]));
    const rings = adapter.problemIds();
    expect(rings).toHaveLength(2);
    for (const { id } of rings) expect(cy.getElementById(id).hasClass('fold')).toBe(true);
    // node-1's fold holds a warning and an error: it says error.
    expect(rings.find((r) => r.severity === 'error')?.id).toMatch(/node-1/);
    expect(rings.find((r) => r.severity === 'warning')?.id).toMatch(/^fold:/);
  });

  test('on thousands of nodes, a subject inside a folded block of nodes rings the block', () => {
    const { cy, adapter } = headless();
    const topology = derive(generateCluster(13_500));
    adapter.setTopology(topology);
    expect(cy.nodes('.fold-block').nonempty(), 'blocks of nodes are folded at this size').toBe(true);
    const pod = Object.values(topology.pods).find((p) => p.host === 'node:node-3')!;
    adapter.markProblems(new Map<string, Severity>([[pod.id, 'error']]));
    const rings = adapter.problemIds();
    expect(rings).toHaveLength(1);
    const block = cy.getElementById(rings[0]!.id);
    expect(block.hasClass('fold-block')).toBe(true);
  });
});
