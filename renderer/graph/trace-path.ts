/**
 * A trace as the graph draws it (issue 11): its hops in the order the trace panel lists them —
 * the DNS lookup's, then the path's, then the chosen branch's, numbered alike — each marked as a
 * DNS hop or a data hop, and the hop that denies or drops a failed path marked as deciding, with
 * nothing after it. Then, for what the canvas draws, the steps: one per element the packet stands
 * at, in order, each arrow between two of them a move of the packet.
 */
import type { Branch, DnsLookup, Trace, Verdict } from '../../shared/trace/types.ts';
import type { GraphElement, GraphNodeKind } from './element-types.ts';

export interface PathHop {
  /** From 1, as in the trace panel's hop list. */
  number: number;
  /** The model ids the hop touches (`Hop.ids`). */
  ids: readonly string[];
  /** Part of the name lookup: the lookup's own hops and the path's summary of it. */
  isDns: boolean;
  /** The hop that denies or drops the packet: the last one drawn. */
  isDeciding: boolean;
  /** A NetworkPolicy check: the packet is checked where it stands, and does not move. */
  isCheck: boolean;
}

const failedVerdicts: ReadonlySet<Verdict> = new Set(['policy-denied', 'no-endpoints', 'no-route']);
/** Lookups that end the trace (route.ts `dnsFailure`): the path's summary hop is never taken. */
const failedLookups: ReadonlySet<DnsLookup['status']> = new Set(['policy-denied', 'no-endpoints', 'no-cluster-dns']);

/**
 * The hops of `trace` to draw, with `branch` (the one chosen where the path fans out). A failed
 * path is decided by its last hop (a trace ends where it is denied or dropped), or by the last
 * hop of the name lookup when that is what failed; a trace to a target that is not there draws
 * nothing.
 */
export function pathHops(trace: Trace, branch: Branch | null): PathHop[] {
  if (trace.verdict === 'unknown-target') return [];
  const lookup = trace.dns?.hops ?? [];
  const path = [...trace.hops, ...(trace.branches.length > 0 && branch ? branch.hops : [])];
  const hops = [...lookup.map((hop) => ({ hop, isDns: true })), ...path.map((hop) => ({ hop, isDns: hop.kind === 'dns' }))];
  const verdict = trace.branches.length > 0 && branch ? branch.verdict : trace.verdict;
  const isLookupFailed = trace.dns !== undefined && failedLookups.has(trace.dns.status) && lookup.length > 0;
  const drawn = isLookupFailed ? lookup.length : hops.length;
  const deciding = failedVerdicts.has(verdict) ? drawn - 1 : -1;
  return hops.slice(0, drawn).map(({ hop, isDns }, i) => ({ number: i + 1, ids: hop.ids, isDns, isDeciding: i === deciding, isCheck: hop.kind === 'policy' }));
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
      if (hop.isDeciding) last.style = 'denied';
      else if (!hop.isDns && last.style === 'dns') last.style = 'data';
      return;
    }
    steps.push({ hops: [hop.number], anchor, style: hop.isDeciding ? 'denied' : hop.isDns ? 'dns' : 'data', arrival: last ? (hop.isDns ? 'dns' : 'data') : null });
  });
  return steps;
}

/** A step's badge: its hop numbers ("3", "6–8"), and ✕ where the packet is denied or dropped. */
export function stepLabel(step: PathStep): string {
  const first = step.hops[0] ?? 0;
  const last = step.hops.at(-1) ?? first;
  const numbers = first === last ? String(first) : `${first}–${last}`;
  return step.style === 'denied' ? `${numbers} ✕` : numbers;
}
