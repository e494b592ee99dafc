/**
 * A node probe in a few lines for a person: what was read, what could not be and why, how long
 * it took. Commands that failed for the same reason share a line, so a netns that does not
 * exist says so once, not eleven times.
 */
import type { CommandResult } from '../../../shared/datapath/reading.ts';
import { formatSeconds } from './classify.ts';
import type { NodeProbe } from './probe-cluster.ts';

type Unread = Exclude<CommandResult, { status: 'ok' }>;

const isUnread = (r: CommandResult | undefined): r is Unread => r !== undefined && r.status !== 'ok';
const plural = (n: number, word: string, words = `${word}s`) => `${n} ${n === 1 ? word : words}`;

/** `failed (exit 1): Device "eth0" does not exist.` */
function why(result: Unread): string {
  const status = result.status === 'failed' ? `failed${result.exitCode === null ? '' : ` (exit ${result.exitCode})`}` : result.status;
  return `${status}: ${result.message}`;
}

/** Groups unread results by their reason: `reason → [what, …]`, in first-seen order. */
function byReason(items: { what: string; result: Unread }[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const { what, result } of items) {
    const key = why(result);
    groups.set(key, [...(groups.get(key) ?? []), what]);
  }
  return groups;
}

export function summarizeProbe(probe: NodeProbe): string[] {
  const took = formatSeconds(probe.elapsedMs);
  const reading = probe.reading;
  if (!reading) return [`node ${probe.node}: not read after ${took}: ${probe.error ?? 'unknown error'}`];
  const results = Object.values(reading.commands);
  const read = results.filter((r) => r?.status === 'ok').length;
  const podResults = reading.pods.flatMap((p) => Object.values(p.commands));
  const podRead = podResults.filter((r) => r?.status === 'ok').length;
  const lines = [
    `node ${reading.node} (${reading.source}: ${reading.target}): read ${read} of ${plural(results.length, 'command')} and ${plural(reading.pods.length, 'pod netns', 'pod netns')} (${podRead} of ${plural(podResults.length, 'command')}) in ${took}`,
  ];
  const nodeUnread = byReason(results.filter(isUnread).map((result) => ({ what: result.command, result })));
  for (const [reason, commands] of nodeUnread) lines.push(`  not read: ${commands.join(', ')}: ${reason}`);
  const podUnread = byReason(
    reading.pods.flatMap((pod) => Object.values(pod.commands).filter(isUnread).map((result) => ({ what: `${result.command} in ${pod.netns}`, result }))),
  );
  for (const [reason, commands] of podUnread) {
    const shown = commands.length > 3 ? [...commands.slice(0, 3), `and ${commands.length - 3} more`] : commands;
    lines.push(`  not read: ${shown.join(', ')}: ${reason}`);
  }
  return lines;
}
