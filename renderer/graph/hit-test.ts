/**
 * Where on screen an element is, and where a click really lands on it: for the test hook
 * (view-hook.ts), which clicks elements as a person would. A compound's own area may be only a
 * thin band of padding between its children, so the centre is not always a place to click.
 */
import type cytoscape from 'cytoscape';

/** The canvas renderer's hit test: not in cytoscape's typings, but what its own tap handler uses. */
interface HitTester {
  findNearestElement(x: number, y: number, interactiveOnly: boolean, isTouch: boolean): cytoscape.SingularElementArgument | undefined;
}

export function renderedBox(cy: cytoscape.Core, id: string): { x1: number; y1: number; x2: number; y2: number } | null {
  const ele = cy.getElementById(id);
  const container = cy.container();
  if (ele.empty() || !container) return null;
  const origin = container.getBoundingClientRect();
  const b = ele.renderedBoundingBox({ includeLabels: false, includeOverlays: false });
  return { x1: origin.left + b.x1, y1: origin.top + b.y1, x2: origin.left + b.x2, y2: origin.top + b.y2 };
}

export function renderedCenter(cy: cytoscape.Core, id: string): { x: number; y: number } | null {
  const ele = cy.getElementById(id);
  const container = cy.container();
  if (ele.empty() || !container) return null;
  const origin = container.getBoundingClientRect();
  const toClient = (p: { x: number; y: number }) => ({ x: origin.left + p.x, y: origin.top + p.y });
  if (ele.isEdge()) return toClient(ele.renderedMidpoint());
  const node = ele as cytoscape.NodeSingular;
  const box = node.renderedBoundingBox({ includeLabels: false, includeOverlays: false });
  const centre = { x: (box.x1 + box.x2) / 2, y: (box.y1 + box.y2) / 2 };
  // Children, and edges drawn over a compound box, would take the click: look for the point
  // nearest the centre where a click really lands on this element, as cytoscape hit-tests it.
  // A compound's own area may be only its padding, so points in that band are tried too.
  const candidates: { x: number; y: number }[] = [];
  const steps = 12;
  for (let i = 1; i < steps; i++) {
    for (let j = 1; j < steps; j++) candidates.push({ x: box.x1 + ((box.x2 - box.x1) * i) / steps, y: box.y1 + ((box.y2 - box.y1) * j) / steps });
  }
  if (node.isParent()) {
    // cytoscape counts a click up to 2 px outside a node as on it, children first; so the
    // thin band of padding may be covered by the children's margin, and just outside works.
    const half = ((Number.parseFloat(String(node.style('padding'))) || 4) * cy.zoom()) / 2;
    for (const inset of [half, 0.5, -1]) {
      for (let i = 1; i < steps; i++) {
        const x = box.x1 + ((box.x2 - box.x1) * i) / steps;
        const y = box.y1 + ((box.y2 - box.y1) * i) / steps;
        candidates.push({ x, y: box.y1 + inset }, { x, y: box.y2 - inset }, { x: box.x1 + inset, y }, { x: box.x2 - inset, y });
      }
    }
  }
  // Mouse events carry whole pixels, so test whole client pixels, each with its neighbours so
  // that a click is not decided by rounding.
  const toWhole = (p: { x: number; y: number }) => ({ x: Math.round(origin.left + p.x) - origin.left, y: Math.round(origin.top + p.y) - origin.top });
  const visible = [centre, ...candidates].map(toWhole).filter((p) => p.x > 1 && p.y > 1 && p.x < origin.width - 1 && p.y < origin.height - 1);
  visible.sort((a, b) => Math.hypot(a.x - centre.x, a.y - centre.y) - Math.hypot(b.x - centre.x, b.y - centre.y));
  const isSolid = (p: { x: number; y: number }) =>
    [p, { x: p.x - 1, y: p.y }, { x: p.x + 1, y: p.y }, { x: p.x, y: p.y - 1 }, { x: p.x, y: p.y + 1 }].every((q) => hitTest(cy, q)?.same(ele));
  const hit = visible.find(isSolid) ?? visible.find((p) => hitTest(cy, p)?.same(ele));
  return toClient(hit ?? centre);
}

/** The element a click at this rendered point selects (cytoscape's own hit test). */
function hitTest(cy: cytoscape.Core, point: { x: number; y: number }): cytoscape.SingularElementArgument | undefined {
  const renderer = (cy as unknown as { renderer(): HitTester | undefined }).renderer();
  if (typeof renderer?.findNearestElement !== 'function') return undefined;
  const pan = cy.pan();
  const zoom = cy.zoom();
  return renderer.findNearestElement((point.x - pan.x) / zoom, (point.y - pan.y) / zoom, true, false);
}
