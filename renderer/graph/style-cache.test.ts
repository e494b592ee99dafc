import cytoscape from 'cytoscape';
import { describe, expect, it } from 'vitest';
import { fastDirtyStyleCache } from './style-cache.ts';

type Private = { styleCache: unknown };
const privateOf = (ele: cytoscape.SingularElementArgument) => (ele as unknown as { _private: Private })._private;

/** Two hosts of pods with containers, veths inside each host, an endpoint edge across, and a loose node. */
function graph(): cytoscape.Core {
  const elements: cytoscape.ElementDefinition[] = [{ data: { id: 'svc' } }, { data: { id: 'loose' } }];
  for (const host of ['a', 'b']) {
    elements.push({ data: { id: host } }, { data: { id: `${host}/bridge`, parent: host } });
    for (const pod of [1, 2, 3]) {
      const id = `${host}/p${pod}`;
      elements.push({ data: { id, parent: host } }, { data: { id: `${id}/c`, parent: id } }, { data: { id: `${id}/veth`, source: `${host}/bridge`, target: id } });
      elements.push({ data: { id: `svc->${id}`, source: 'svc', target: id } });
    }
  }
  elements.push({ data: { id: 'tunnel', source: 'a', target: 'b' } });
  return cytoscape({ headless: true, elements });
}

/** The ids whose style cache `dirty` clears, every cache set beforehand. */
function cleared(cy: cytoscape.Core, ids: string[], dirty: (eles: cytoscape.CollectionReturnValue) => void): string[] {
  cy.elements().forEach((ele) => void (privateOf(ele).styleCache = {}));
  dirty(ids.reduce((eles, id) => eles.union(cy.getElementById(id)), cy.collection()));
  return cy
    .elements()
    .filter((ele) => privateOf(ele).styleCache === null)
    .map((ele) => ele.id())
    .sort();
}

describe('fastDirtyStyleCache', () => {
  const cy = graph();
  const prototype = Object.getPrototypeOf(cy.collection()) as { dirtyStyleCache: (this: unknown) => unknown };
  const original = prototype.dirtyStyleCache;
  const fast = fastDirtyStyleCache(original as never);

  it.each([['a'], ['a/p2'], ['a/p2/c'], ['svc'], ['loose'], ['svc->b/p1'], ['tunnel'], ['a/p1/c', 'b/bridge', 'tunnel']])('clears what cytoscape does for %s', (...ids) => {
    const expected = cleared(cy, ids, (eles) => original.call(eles));
    expect(expected.length).toBeGreaterThan(0);
    expect(cleared(cy, ids, (eles) => fast.call(eles as never))).toEqual(expected);
  });

  it('leaves a graph without compounds to the original', () => {
    const flat = cytoscape({ headless: true, elements: [{ data: { id: 'x' } }, { data: { id: 'y' } }, { data: { id: 'e', source: 'x', target: 'y' } }] });
    expect(cleared(flat, ['x'], (eles) => fast.call(eles as never))).toEqual(['e', 'x']);
  });
});
