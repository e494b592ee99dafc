/**
 * Near misses of a selector that matches nothing: the pods it was probably meant to pick, whose
 * labels are one key off, or whose value (or key) for a selector key is a typo or a change of case
 * away (`app=carts` for `app=cart`). They are what a user would otherwise spot by eye.
 */
import type { PodRecord } from '../model/types.ts';
import { editDistance } from '../trace/suggest.ts';

/** One selector key the pod does not satisfy: what the pod has instead, under the same key or a
 * key close to it (`has` null: it has neither). */
export interface LabelChange {
  key: string;
  wanted: string;
  podKey: string;
  has: string | null;
}

export interface NearMiss {
  pod: PodRecord;
  changes: LabelChange[];
}

/** A typo or a change of case: at most one edit in short words, two in words of five or more. */
export function isClose(a: string, b: string): boolean {
  if (a === b) return false;
  if (a.toLowerCase() === b.toLowerCase()) return true;
  return editDistance(a, b) <= (Math.min(a.length, b.length) >= 5 ? 2 : 1);
}

function changesFor(selector: Record<string, string>, labels: Record<string, string>): { changes: LabelChange[]; isEveryChangeClose: boolean } {
  const changes: LabelChange[] = [];
  let isEveryChangeClose = true;
  for (const [key, wanted] of Object.entries(selector)) {
    const has = labels[key];
    if (has === wanted) continue;
    if (has !== undefined) {
      changes.push({ key, wanted, podKey: key, has });
      isEveryChangeClose &&= isClose(wanted, has);
      continue;
    }
    // `App: cart` or `apps: cart` for `app: cart`.
    const closeKey = Object.keys(labels).find((k) => isClose(key, k) && (labels[k] === wanted || isClose(wanted, labels[k] ?? '')));
    changes.push({ key, wanted, podKey: closeKey ?? key, has: closeKey === undefined ? null : (labels[closeKey] ?? null) });
    isEveryChangeClose &&= closeKey !== undefined;
  }
  return { changes, isEveryChangeClose };
}

/**
 * The pods (of those given: the Service's namespace) that miss the selector narrowly: every
 * differing key is close, or exactly one key differs and another matches. Closest first.
 */
export function nearMisses(selector: Record<string, string>, pods: PodRecord[]): NearMiss[] {
  const keyCount = Object.keys(selector).length;
  const out: NearMiss[] = [];
  for (const pod of pods) {
    const { changes, isEveryChangeClose } = changesFor(selector, pod.labels);
    if (changes.length === 0) continue;
    if (isEveryChangeClose || (changes.length === 1 && keyCount > 1)) out.push({ pod, changes });
  }
  return out.sort((a, b) => a.changes.length - b.changes.length || (a.pod.name < b.pod.name ? -1 : a.pod.name > b.pod.name ? 1 : 0));
}

/** `app=carts`, `App=cart`, `no tier`: what the pod has instead of each change. */
export function changeText(changes: LabelChange[]): string {
  return changes.map((c) => (c.has === null ? `no ${c.key}` : `${c.podKey}=${c.has}`)).join(', ');
}

/** The selector after the change that makes it pick the pod: the pod's own key and value, and no
 * key the pod lacks. As a merge patch (null deletes a key). */
export function selectorPatch(changes: LabelChange[]): Record<string, string | null> {
  const patch: Record<string, string | null> = {};
  for (const c of changes) {
    if (c.podKey !== c.key) patch[c.key] = null;
    if (c.has !== null) patch[c.podKey] = c.has;
    else patch[c.key] = null;
  }
  return patch;
}
