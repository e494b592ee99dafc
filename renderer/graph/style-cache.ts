/**
 * A faster `dirtyStyleCache` for cytoscape's compound graphs (issue 14).
 *
 * Cytoscape calls `ele.dirtyStyleCache()` for every style property that changes as it applies an
 * element's style. In a compound graph that call builds four collections (the element, its
 * descendants, its ancestors, and all their edges) only to set one field on each to null. A node
 * box holding 30 pods, their containers and veths has 120 elements in that family, and a dozen
 * properties change when it is first styled: at a thousand pods, building those collections was
 * a fifth of every frame while panning and of every live update's draw.
 *
 * The replacement clears the same elements' caches by walking cytoscape's own parent, children and
 * edge lists, allocating nothing. style-cache.test.ts checks that it clears exactly what the
 * original does, on the cytoscape this project pins.
 */
import type cytoscape from 'cytoscape';

interface Private {
  styleCache: unknown;
  parent: Ele | null;
  children: Ele[];
  edges: Ele[];
  group: 'nodes' | 'edges';
}
interface Ele {
  _private: Private;
}
/** `hasCompoundNodes` is public in cytoscape but missing from its typings. */
type Collection = ArrayLike<Ele> & { cy(): { hasCompoundNodes(): boolean } };
type DirtyStyleCache = (this: Collection) => unknown;

const installed = Symbol('podpath.dirtyStyleCache');

function clearNodeAndEdges(node: Ele): void {
  node._private.styleCache = null;
  for (const edge of node._private.edges) edge._private.styleCache = null;
}

function clearDescendants(node: Ele): void {
  for (const child of node._private.children) {
    clearNodeAndEdges(child);
    clearDescendants(child);
  }
}

export function fastDirtyStyleCache(original: DirtyStyleCache): DirtyStyleCache {
  return function dirtyStyleCache(this: Collection) {
    if (!this.cy().hasCompoundNodes()) return original.call(this);
    for (let i = 0; i < this.length; i++) {
      const ele = this[i]!;
      if (ele._private.group === 'edges') {
        ele._private.styleCache = null;
        continue;
      }
      clearNodeAndEdges(ele);
      clearDescendants(ele);
      for (let parent = ele._private.parent; parent; parent = parent._private.parent) clearNodeAndEdges(parent);
    }
    return this;
  };
}

/** Puts the faster `dirtyStyleCache` on the prototype of `cy`'s collections (once). */
export function installFastStyleCache(cy: cytoscape.Core): void {
  const prototype = Object.getPrototypeOf(cy.collection()) as Record<PropertyKey, unknown> & { dirtyStyleCache: DirtyStyleCache };
  if (prototype[installed]) return;
  prototype[installed] = prototype.dirtyStyleCache;
  prototype.dirtyStyleCache = fastDirtyStyleCache(prototype.dirtyStyleCache);
}
