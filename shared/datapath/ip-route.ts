/**
 * `ip -j route show table all` (iproute2 ip/iproute.c print_route). iproute2 leaves out what is
 * the default: no `table` is the main table, no `type` is unicast, and a host route's `dst` is
 * printed without its /32 (or /128). `table all` lists both families.
 */
import { z } from 'zod';
import { parseJsonOutput } from './parse-error.ts';
import type { Route } from './types.ts';

const nexthopSchema = z.object({
  gateway: z.string().optional(),
  dev: z.string().optional(),
  weight: z.number().optional(),
  flags: z.array(z.string()).optional(),
});

const routeSchema = z.object({
  type: z.string().optional(),
  dst: z.string().min(1),
  gateway: z.string().optional(),
  /** A next hop of the other family (`via inet6 fe80::1`). */
  via: z.object({ family: z.string().optional(), host: z.string() }).optional(),
  dev: z.string().optional(),
  table: z.union([z.string(), z.number()]).optional(),
  protocol: z.union([z.string(), z.number()]).optional(),
  scope: z.union([z.string(), z.number()]).optional(),
  prefsrc: z.string().optional(),
  metric: z.number().optional(),
  flags: z.array(z.string()).optional(),
  nexthops: z.array(nexthopSchema).optional(),
});

const isV6 = (text: string | undefined) => text !== undefined && text.includes(':');

/** Parses `ip -j route show table all` (or any `ip -j route` listing). */
export function parseIpRoute(output: string, command = 'ip -j route show table all'): Route[] {
  return parseJsonOutput(command, z.array(routeSchema), output).map((raw) => {
    const gateway = raw.gateway ?? raw.via?.host ?? null;
    const hints = [raw.dst, gateway ?? undefined, raw.prefsrc, ...(raw.nexthops ?? []).map((n) => n.gateway)];
    const family = hints.some(isV6) ? 'inet6' : hints.some((h) => h !== undefined && /^\d+\.\d+\.\d+\.\d+/.test(h)) ? 'inet' : null;
    const dst = raw.dst === 'default' || raw.dst.includes('/') ? raw.dst : `${raw.dst}/${isV6(raw.dst) ? 128 : 32}`;
    const flags = raw.flags ?? [];
    return {
      table: raw.table === undefined ? 'main' : String(raw.table),
      type: raw.type ?? 'unicast',
      family,
      dst,
      gateway,
      dev: raw.dev ?? null,
      protocol: raw.protocol === undefined ? null : String(raw.protocol),
      scope: raw.scope === undefined ? null : String(raw.scope),
      prefsrc: raw.prefsrc ?? null,
      metric: raw.metric ?? null,
      flags,
      isOnlink: flags.includes('onlink'),
      nexthops: (raw.nexthops ?? []).map((n) => ({ gateway: n.gateway ?? null, dev: n.dev ?? null, weight: n.weight ?? null, flags: n.flags ?? [] })),
    };
  });
}
