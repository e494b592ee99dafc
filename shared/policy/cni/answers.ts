/**
 * What one layer (a Calico tier, the admin tiers, Cilium's repository) does with a flow, as a
 * list of answers: the first is the likeliest reading, the others what a `maybe` (a rule Podpath
 * cannot match for sure) leaves open, each with the doubts it rests on. The caller follows each
 * answer to its end and calls the verdict unknown only when the ends differ.
 */
import type { AdminRuleRef, CniRuleRef, DirectionVerdict } from '../types.ts';

export type Effect = 'allow' | 'deny' | 'pass' | 'none' | 'unknown';

export interface Answer {
  effect: Effect;
  /** The rule behind it: a CNI rule, an admin rule, or a NetworkPolicy verdict (`np`). */
  by: { cni: CniRuleRef } | { admin: AdminRuleRef } | { np: DirectionVerdict } | null;
  doubts: string[];
}

/** More answers than this are not followed: the verdict says so instead. */
export const maxAnswers = 64;

export function withDoubt(answers: Answer[], doubt: string[]): Answer[] {
  return doubt.length === 0 ? answers : answers.map((a) => ({ ...a, doubts: [...doubt, ...a.doubts] }));
}
