/**
 * `ip -j neigh` (iproute2 ip/ipneigh.c print_neigh) and `ip -j netns list-id`
 * (ip/ipnetns.c print_nsid): the neighbour table, and the ids this namespace gives others.
 */
import { z } from 'zod';
import { parseJsonOutput } from './parse-error.ts';
import type { Neighbour, NetnsId } from './types.ts';

const neighbourSchema = z.object({
  dst: z.string().min(1),
  dev: z.string().min(1),
  lladdr: z.string().optional(),
  state: z.array(z.string()).optional(),
  /** Printed as `"router": null` when the flag is set. */
  router: z.null().optional(),
});

/** Parses `ip -j neigh`. */
export function parseIpNeigh(output: string, command = 'ip -j neigh'): Neighbour[] {
  return parseJsonOutput(command, z.array(neighbourSchema), output).map((raw) => ({
    dst: raw.dst,
    dev: raw.dev,
    lladdr: raw.lladdr ?? null,
    state: raw.state ?? [],
    isRouter: 'router' in raw,
  }));
}

const nsidSchema = z.object({ nsid: z.number().int().nonnegative(), name: z.string().optional() });

/** Parses `ip -j netns list-id`. */
export function parseNetnsIds(output: string, command = 'ip -j netns list-id'): NetnsId[] {
  return parseJsonOutput(command, z.array(nsidSchema), output).map((raw) => ({ nsid: raw.nsid, name: raw.name ?? null }));
}
