/**
 * `bridge -j link` and `bridge -j fdb` (iproute2 bridge/link.c, bridge/fdb.c). `bridge link`'s
 * `link` field is not read: it resolves a veth's peer index in the wrong namespace (a pod veth
 * shows the name of whatever root-namespace link has the pod end's index).
 */
import { z } from 'zod';
import { parseJsonOutput } from './parse-error.ts';
import type { BridgePort, FdbEntry } from './types.ts';

const portSchema = z.object({
  ifindex: z.number().int().nonnegative(),
  ifname: z.string().min(1),
  flags: z.array(z.string()).optional(),
  master: z.string().optional(),
  state: z.string().optional(),
});

/** Parses `bridge -j link`: the ports of every bridge. */
export function parseBridgeLink(output: string, command = 'bridge -j link'): BridgePort[] {
  return parseJsonOutput(command, z.array(portSchema), output).map((raw) => ({
    ifindex: raw.ifindex,
    name: raw.ifname,
    master: raw.master ?? null,
    state: raw.state ?? null,
    flags: raw.flags ?? [],
  }));
}

const fdbSchema = z.object({
  mac: z.string().min(1),
  ifname: z.string().min(1),
  dst: z.string().optional(),
  master: z.string().optional(),
  vlan: z.number().int().optional(),
  src_vni: z.number().int().optional(),
  vni: z.number().int().optional(),
  flags: z.array(z.string()).optional(),
  /** "" for entries the bridge learned. */
  state: z.string().optional(),
});

/** Parses `bridge -j fdb`. */
export function parseBridgeFdb(output: string, command = 'bridge -j fdb'): FdbEntry[] {
  return parseJsonOutput(command, z.array(fdbSchema), output).map((raw) => ({
    mac: raw.mac.toLowerCase(),
    dev: raw.ifname,
    dst: raw.dst ?? null,
    master: raw.master ?? null,
    vlan: raw.vlan ?? null,
    vni: raw.vni ?? raw.src_vni ?? null,
    state: raw.state ? raw.state : null,
    flags: raw.flags ?? [],
  }));
}
