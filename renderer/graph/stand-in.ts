/**
 * What stands for an element that level of detail folded away (detail.ts): the drawn fold of its
 * node or Services group, or the drawn block of nodes that holds it. A selection, a search's
 * marks and the doctor's rings go on the stand-in.
 */
import type cytoscape from 'cytoscape';
import { foldIdsOf, unitExtent, unitHolding } from './detail.ts';
import type { GraphElement } from './element-types.ts';
import type { Point } from './geometry.ts';

/** The drawn fold of the unit that holds `id`, if any. */
export function drawnFoldOf(cy: cytoscape.Core, elements: readonly GraphElement[], positions: ReadonlyMap<string, Point>, id: string): string | null {
  const unit = unitHolding(elements, positions, id);
  return unit ? (foldIdsOf(unit).find((fold) => cy.getElementById(fold).nonempty()) ?? null) : null;
}

/** The drawn fold of a block of nodes that holds `id`'s unit, if any: the block around its centre. */
export function drawnBlockOf(cy: cytoscape.Core, elements: readonly GraphElement[], positions: ReadonlyMap<string, Point>, id: string): string | null {
  const unit = unitHolding(elements, positions, id);
  const box = unit ? unitExtent(elements, positions, unit) : null;
  if (!box) return null;
  const [x, y] = [(box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2];
  const block = cy.nodes('.fold-block').filter((fold) => {
    const at = fold.position();
    return Math.abs(x - at.x) <= fold.width() / 2 && Math.abs(y - at.y) <= fold.height() / 2;
  });
  return block.nonempty() ? block.first().id() : null;
}
