/**
 * A trace as the graph draws it (issue 11): its hops in the order the trace panel lists them —
 * the DNS lookup's, then the path's, then the chosen branch's, numbered alike — each marked as a
 * DNS hop or a data hop. A failed path is drawn up to its last blocker (a trace goes on past a
 * blocker to find the next one, issue 17): the first blocker is the deciding hop, the later ones
 * are marked too. Then, for what the canvas draws, the steps: one per element the packet stands
 * at, in order, each arrow between two of them a move of the packet.
 */
import { blockersOf } from '../../shared/trace/blockers.ts';
import type { Blocker, Branch, Trace, Verdict } from '../../shared/trace/types.ts';
import type { GraphElement, GraphNodeKind } from './element-types.ts';

export interface PathHop {
  /** From 1, as in the trace panel's hop list. */
  number: number;
  /** The model ids the hop touches (`Hop.ids`). */
  ids: readonly string[];
  /** Part of the name lookup: the lookup's own hops and the path's summary of it. */
  isDns: boolean;
  /** The hop that denies or drops the packet first. */
  isDeciding: boolean;
  /** A hop that would block the packet too, after the deciding one (or on a path that is not
   * failed, such as a lookup denied to some CoreDNS endpoints). */
  isBlocker: boolean;
  /** A NetworkPolicy check: the packet is checked where it stands, and does not move. */
  isCheck: boolean;
}

const failedVerdicts: ReadonlySet<Verdict> = new Set(['policy-denied', 'no-endpoints', 'no-route']);

/**
 * The hops of `trace` to draw, with `branch` (the one chosen where the path fans out). A failed
 * path is drawn up to its last blocker and decided by its first; one with no blocker located (a
 * trace made by hand) by its last hop. A trace to a target that is not there draws nothing.
 */
export function pathHops(trace: Trace, branch: Branch | null): PathHop[] {
  if (trace.verdict === 'unknown-target') return [];
  const lookup = trace.dns?.hops ?? [];
  const chosen = trace.branches.length > 0 ? branch : null;
  const path = [...trace.hops, ...(chosen ? chosen.hops : [])];
  const hops = [...lookup.map((hop) => ({ hop, isDns: true })), ...path.map((hop) => ({ hop, isDns: hop.kind === 'dns' }))];
  // From where a blocker is to its place in `hops`.
  const indexOf = (at: NonNullable<Blocker['at']>) => (at.in === 'dns' ? at.hop : at.in === 'path' ? lookup.length + at.hop : lookup.length + trace.hops.length + at.hop);
  const blocked = blockersOf(trace, chosen).flatMap((b) => (b.at ? [indexOf(b.at)] : []));
  const isFailed = failedVerdicts.has(trace.verdict) || (chosen !== null && failedVerdicts.has(chosen.verdict));
  let drawn = hops.length;
  let deciding = -1;
  if (isFailed) {
    drawn = blocked.length > 0 ? Math.max(...blocked) + 1 : hops.length;
    deciding = blocked[0] ?? drawn - 1;
  }
  const later = new Set(blocked.filter((i) => i !== deciding));
  return hops.slice(0, drawn).map(({ hop, isDns }, i) => ({ number: i + 1, ids: hop.ids, isDns, isDeciding: i === deciding, isBlocker: later.has(i), isCheck: hop.kind === 'policy' }));
}

/** Where a model id is drawn: a node (maybe a box, see `anchorOf`), or an edge between two nodes. */
export type Place = { kind: 'node'; id: string; isBox: boolean } | { kind: 'edge'; source: string; target: string };

/** Boxes that hold others (a node's root netns, a group, a fold): see `anchorOf`. */
const boxKinds: ReadonlySet<GraphNodeKind> = new Set(['host', 'unscheduled', 'service-group', 'namespace', 'fold']);

/**
 * Where ids are drawn, read from the elements drawn: a container stands for itself at its pod (a
 * packet in a container is in the pod's netns, and an arrow into a box's own child is unreadable).
 */
export function placeIn(drawn: ReadonlyMap<string, GraphElement>): (id: string) => Place | null {
  const nodeFor = (id: string): string => {
    const element = drawn.get(id);
    return element?.group === 'nodes' && element.data.kind === 'container' && element.data.parent ? element.data.parent : id;
  };
  return (id) => {
    const element = drawn.get(id);
    if (!element) return null;
    if (element.group === 'edges') return { kind: 'edge', source: nodeFor(element.data.source), target: nodeFor(element.data.target) };
    return { kind: 'node', id: nodeFor(id), isBox: boxKinds.has(element.data.kind) };
  };
}

export type StepStyle = 'data' | 'dns' | 'denied';

export interface PathStep {
  /** The hops taken at this element, in order (hops drawn nowhere are left out). */
  hops: number[];
  /** The drawn node the step is at. */
  anchor: string;
  /** `denied` when the deciding hop is here, `dns` when all its hops are the lookup's. */
  style: StepStyle;
  /** A later blocker is here (see `PathHop.isBlocker`). */
  hasBlocker: boolean;
  /** How the packet came here from the step before (the arrow into it): null for the first. */
  arrival: 'data' | 'dns' | null;
}

/**
 * Where a hop happens on the canvas: its first id drawn as a node that is not a box; else the
 * first edge, at the end the packet has not come from (a veth crossed out of a pod ends at the
 * bridge, one crossed into a pod at the pod); else, at an end of the path, a box (a trace from or
 * to a node's root netns). An arrow into a box midway says nothing its neighbours do not.
 */
function anchorOf(ids: readonly string[], previous: string | null, mayBeBox: boolean, place: (id: string) => Place | null): string | null {
  const places = ids.map(place).filter((p): p is Place => p !== null);
  const node = places.find((p) => p.kind === 'node' && !p.isBox);
  if (node?.kind === 'node') return node.id;
  const edge = places.find((p) => p.kind === 'edge');
  if (edge?.kind === 'edge') return edge.source === previous ? edge.target : edge.target === previous ? edge.source : edge.target;
  const box = places.find((p) => p.kind === 'node');
  return mayBeBox && box?.kind === 'node' ? box.id : null;
}

/**
 * The steps of `hops` on the canvas, `place` telling where an id is drawn. A policy check is
 * made where the packet stands; consecutive hops at one element are one step; a hop drawn nowhere
 * (or only as a box midway) keeps its number in the list only.
 */
export function placeSteps(hops: readonly PathHop[], place: (id: string) => Place | null): PathStep[] {
  const steps: PathStep[] = [];
  hops.forEach((hop, i) => {
    const last = steps.at(-1);
    const anchor = hop.isCheck && last ? last.anchor : anchorOf(hop.ids, last?.anchor ?? null, i === 0 || i === hops.length - 1, place);
    if (anchor === null) return;
    if (last?.anchor === anchor) {
      last.hops.push(hop.number);
      if (hop.isBlocker) last.hasBlocker = true;
      if (hop.isDeciding) last.style = 'denied';
      else if (!hop.isDns && last.style === 'dns') last.style = 'data';
      return;
    }
    steps.push({ hops: [hop.number], anchor, style: hop.isDeciding ? 'denied' : hop.isDns ? 'dns' : 'data', hasBlocker: hop.isBlocker, arrival: last ? (hop.isDns ? 'dns' : 'data') : null });
  });
  return steps;
}

/** A step's badge: its hop numbers ("3", "6–8"), and ✕ where the packet is denied or dropped
 * first, a smaller × where it would be blocked again. */
export function stepLabel(step: PathStep): string {
  const first = step.hops[0] ?? 0;
  const last = step.hops.at(-1) ?? first;
  const numbers = first === last ? String(first) : `${first}–${last}`;
  return step.style === 'denied' ? `${numbers} ✕` : step.hasBlocker ? `${numbers} ×` : numbers;
}
