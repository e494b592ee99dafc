import cytoscape from 'cytoscape';
import { describe, expect, test } from 'vitest';
import type { PodRecord, Topology, VethRecord } from '../../shared/model/types.ts';
import { applyDelta } from '../state/apply-delta.ts';
import { GraphAdapter } from './adapter.ts';
import { toGraphElements } from './elements.ts';
import { layoutPositions } from './layout.ts';
import { sampleTopology } from './testing/sample-topology.ts';

/** What cytoscape holds, in the shape toGraphElements gives, to compare the two. */
function drawn(cy: cytoscape.Core) {
  return new Map(
    cy.elements().map((ele) => [
      ele.id(),
      { parent: ele.isNode() ? (ele.parent().first().id() ?? undefined) : undefined, source: ele.isEdge() ? ele.source().id() : undefined, target: ele.isEdge() ? ele.target().id() : undefined, classes: [...ele.classes()].filter((c) => !c.startsWith('is-')).sort(), label: ele.data('label') as string },
    ]),
  );
}

function expected(topology: Topology) {
  return new Map(
    toGraphElements(topology).map((e) => [
      e.data.id,
      { parent: e.group === 'nodes' ? e.data.parent : undefined, source: e.group === 'edges' ? e.data.source : undefined, target: e.group === 'edges' ? e.data.target : undefined, classes: [...e.classes].sort(), label: e.data.label },
    ]),
  );
}

function headless(): { cy: cytoscape.Core; adapter: GraphAdapter } {
  const cy = cytoscape({ headless: true, styleEnabled: true });
  return { cy, adapter: new GraphAdapter(cy) };
}

describe('GraphAdapter', () => {
  test('draws every element at its layout position', () => {
    const { cy, adapter } = headless();
    const topology = sampleTopology();
    adapter.setTopology(topology);
    expect(drawn(cy)).toEqual(expected(topology));
    for (const [id, position] of Object.entries(layoutPositions(topology))) expect(cy.getElementById(id).position()).toEqual(position);
  });

  test('applies updates by id: removals, additions, a pod scheduled out of the Unscheduled box, changed data', () => {
    const { cy, adapter } = headless();
    const before = sampleTopology();
    adapter.setTopology(before);
    const frontendBefore = cy.getElementById('pod:uid-frontend-1');

    const pending = before.pods['pod:uid-report-7f9c']!;
    const veth: VethRecord = {
      id: 'veth:uid-report-7f9c',
      kind: 'veth',
      pod: pending.id,
      host: 'node:node-b',
      podEnd: { name: 'eth0', addresses: ['10.244.2.9'] },
      hostEnd: { name: 'veth0badc0de', provenance: 'observed', how: 'node probe' },
      bridge: 'dev:node-b/bridge',
      hostRoutes: [],
    };
    const scheduled: PodRecord = { ...pending, host: 'node:node-b', ips: ['10.244.2.9'], phase: 'Running', isReady: true, veth: veth.id };
    const readyAgain: PodRecord = { ...before.pods['pod:uid-backend-2']!, isReady: true };
    const after = applyDelta(before, {
      seq: 1,
      added: [veth],
      updated: [scheduled, readyAgain],
      removed: ['pod:uid-db-0', 'ctr:uid-db-0/app', 'veth:uid-db-0', 'ep:shop/db/10.244.2.7'],
    });
    adapter.setTopology(after);
    expect(drawn(cy)).toEqual(expected(after));
    expect(cy.getElementById('group:unscheduled').empty()).toBe(true);
    expect(cy.getElementById('veth:uid-report-7f9c').source().id()).toBe('dev:node-b/bridge');
    // Nodes came and went, so the layout ran again: every leaf is where the layout puts it.
    for (const [id, position] of Object.entries(layoutPositions(after))) expect(cy.getElementById(id).position()).toEqual(position);
    expect(cy.getElementById('pod:uid-frontend-1').same(frontendBefore)).toBe(true);
  });

  test('a data-only update changes labels and classes and moves nothing', () => {
    const { cy, adapter } = headless();
    const before = sampleTopology();
    adapter.setTopology(before);
    const positions = new Map(cy.nodes().map((n) => [n.id(), { ...n.position() }]));
    const pod = before.pods['pod:uid-backend-1']!;
    const after = applyDelta(before, { seq: 1, added: [], updated: [{ ...pod, isReady: false, ips: ['10.244.1.99'] }], removed: [] });
    adapter.setTopology(after);
    expect(drawn(cy)).toEqual(expected(after));
    expect(cy.getElementById(pod.id).hasClass('not-ready')).toBe(true);
    expect(cy.getElementById(pod.id).data('label')).toBe('backend-1\n10.244.1.99');
    for (const node of cy.nodes()) expect(node.position()).toEqual(positions.get(node.id()));
  });

  test('selection highlights the element and its edges, fades the rest, and clears', () => {
    const { cy, adapter } = headless();
    adapter.setTopology(sampleTopology());
    adapter.setSelection('svc:shop/backend');
    expect(cy.getElementById('svc:shop/backend').hasClass('is-selected')).toBe(true);
    expect(cy.getElementById('ep:shop/backend/10.244.1.6').hasClass('is-related')).toBe(true);
    expect(cy.getElementById('pod:uid-backend-1').hasClass('is-related')).toBe(true);
    expect(cy.getElementById('veth:uid-backend-1').hasClass('is-faded')).toBe(true);
    adapter.setSelection(null);
    expect(cy.$('.is-selected, .is-related, .is-faded').length).toBe(0);
  });
});
