/**
 * The pod a person means by a workload's name or the start of a pod's name (`shop/frontend` for
 * a Deployment, `shop/db` for a StatefulSet, `shop/frontend-855`): one pod, picked the same way
 * every time — Running and Ready first, then by name — and in words which, and out of how many.
 */
import type { PodRecord, Topology } from '../model/types.ts';
import { shortPodName } from '../policy/line.ts';

export interface Workload {
  kind: string;
  name: string;
}

/**
 * The controller a person would name a pod by: a Deployment's pod by its Deployment (its
 * ReplicaSet is `<deployment>-<pod-template-hash>`), any other controller's (ReplicaSet,
 * StatefulSet, DaemonSet, Job) by that controller. Null for a pod nothing controls, and for a
 * static pod, whose owner is its Node.
 */
export function workloadOf(pod: PodRecord): Workload | null {
  const owner = pod.owner;
  if (!owner || owner.kind === 'Node') return null;
  const short = shortPodName(pod);
  if (owner.kind === 'ReplicaSet' && short !== pod.name) return { kind: 'Deployment', name: short };
  return owner;
}

export type PodPick =
  | { kind: 'pod'; pod: PodRecord; how: string }
  /** Several workloads (or lone pods) match: what to write for each, best known first. */
  | { kind: 'ambiguous'; message: string; choices: string[] };

interface Group {
  /** What to write to mean this group: `ns/workload`, or `ns/pod` for a pod of its own. */
  text: string;
  workload: Workload | null;
  pods: PodRecord[];
}

function isDone(pod: PodRecord): boolean {
  return pod.phase === 'Succeeded' || pod.phase === 'Failed';
}

function isReadyRunning(pod: PodRecord): boolean {
  return pod.phase === 'Running' && pod.isReady;
}

function groupsOf(pods: PodRecord[]): Group[] {
  const groups = new Map<string, Group>();
  for (const pod of pods) {
    const workload = workloadOf(pod);
    const text = `${pod.namespace}/${workload ? workload.name : pod.name}`;
    const key = workload ? `${text} ${workload.kind}` : `${text} pod`;
    const group = groups.get(key) ?? { text, workload, pods: [] };
    group.pods.push(pod);
    groups.set(key, group);
  }
  return [...groups.values()];
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** One pod of a group: a Running, Ready one by name; else a running one, else any — none of the
 * finished ones unless that is all there is (a finished pod's IP may already be another's).
 * `what` says what the group is: `of Deployment frontend`. */
function choose(text: string, group: Group, what: string): PodPick {
  const live = group.pods.filter((p) => !isDone(p));
  const pods = (live.length > 0 ? live : group.pods).toSorted((a, b) => a.name.localeCompare(b.name));
  const ready = pods.filter(isReadyRunning);
  const pod = ready[0] ?? pods.find((p) => p.phase === 'Running') ?? pods[0]!;
  const picked = `${text} → pod ${pod.namespace}/${pod.name}${ready.length === 0 ? ` (${pod.phase}, not ready)` : ''}`;
  const inAll = pods.length > ready.length ? ` (${pods.length} in all)` : '';
  if (pods.length === 1) return { kind: 'pod', pod, how: `${picked}, the only pod ${what}` };
  if (ready.length === 0) return { kind: 'pod', pod, how: `${picked}: none of the ${pods.length} pods ${what} is ready` };
  return { kind: 'pod', pod, how: `${picked}, ${ready.length === 1 ? 'the one ready pod' : `1 of ${ready.length} ready pods`} ${what}${inAll}` };
}

function groupText(group: Group): string {
  return group.workload ? `${group.text} (${group.workload.kind}, ${plural(group.pods.length, 'pod')})` : group.text;
}

/**
 * The pod `name` means in `namespace` (every namespace when null): a workload's name (exactly),
 * else the start of pod names that all belong to one workload (or are one pod). Null when no pod
 * matches either way. `text` is what the user wrote, for the words.
 */
export function pickPod(topology: Topology, namespace: string | null, name: string, text: string): PodPick | null {
  const lower = name.toLowerCase();
  // A controller names its pods after itself (`<deployment>-<hash>-<suffix>`, `<statefulset>-<n>`),
  // so either way only pods whose names start with the text are candidates.
  const named = Object.values(topology.pods).filter((p) => p.name.startsWith(lower) && (namespace === null || p.namespace === namespace));
  const byWorkload = groupsOf(named.filter((p) => workloadOf(p)?.name === lower));
  const groups = byWorkload.length > 0 ? byWorkload : groupsOf(named);
  const [only] = groups;
  if (!only) return null;
  if (groups.length === 1) {
    const what = only.workload ? `${only.workload.kind} ${only.workload.name}` : null;
    if (byWorkload.length > 0) return choose(text, only, `of ${what}`);
    return choose(text, only, what ? `of ${what} whose names start with ${lower}` : `whose name starts with ${lower}`);
  }
  const sorted = groups.toSorted((a, b) => a.text.localeCompare(b.text));
  const listed = sorted.slice(0, 5).map(groupText).join(', ');
  const more = sorted.length > 5 ? ` and ${sorted.length - 5} more` : '';
  return {
    kind: 'ambiguous',
    message: `"${text}" could be any of ${sorted.length}: ${listed}${more}; write more of the name`,
    choices: sorted.map((g) => g.text),
  };
}
