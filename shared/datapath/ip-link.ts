/**
 * `ip -j -d link` (iproute2 ip/ipaddress.c print_linkinfo; the kinds' `info_data` from
 * ip/iplink_vxlan.c, link_iptnl.c, iplink_geneve.c). Without `-d` there is no `linkinfo`, and a
 * link's kind is null: the mapping then knows a veth only by its `link_netnsid`.
 */
import { z } from 'zod';
import { parseJsonOutput, validate } from './parse-error.ts';
import type { Link, TunnelInfo } from './types.ts';

/** The fields `ip link` and `ip addr` share. */
export const linkFields = {
  ifindex: z.number().int().nonnegative(),
  ifname: z.string().min(1),
  /** The other end's name when it is in this namespace (`"link": "pp-up"`), else `if<N>`. */
  link: z.string().nullable().optional(),
  link_index: z.number().int().nonnegative().optional(),
  link_netnsid: z.number().int().optional(),
  flags: z.array(z.string()).optional(),
  mtu: z.number().int().optional(),
  master: z.string().optional(),
  operstate: z.string().optional(),
  address: z.string().optional(),
};

const linkSchema = z.object({
  ...linkFields,
  linkinfo: z
    .object({
      info_kind: z.string().optional(),
      info_data: z.unknown().optional(),
      info_slave_kind: z.string().optional(),
      info_slave_data: z.object({ state: z.string().optional() }).optional(),
    })
    .optional(),
});

// VXLAN prints `local`/`remote`/`group` for IPv4 and `local6`/`remote6`/`group6` for IPv6; its
// underlay device is `link`. IP-in-IP and GRE print `local`/`remote` ("any" when unset).
const tunnelDataSchema = z.object({
  id: z.number().int().nonnegative().optional(),
  local: z.string().optional(),
  local6: z.string().optional(),
  remote: z.string().optional(),
  remote6: z.string().optional(),
  group: z.string().optional(),
  group6: z.string().optional(),
  link: z.string().nullable().optional(),
  port: z.number().int().optional(),
  learning: z.boolean().optional(),
});

/** Kinds whose `info_data` describes a tunnel. */
const tunnelKinds = new Set(['vxlan', 'geneve', 'ipip', 'sit', 'ip6tnl', 'gre', 'gretap', 'ip6gre', 'ip6gretap']);

type RawLinkFields = z.output<z.ZodObject<typeof linkFields>>;

export function peerOf(raw: RawLinkFields): Link['peer'] {
  if (raw.link_netnsid !== undefined) return { ifindex: raw.link_index ?? null, netnsid: raw.link_netnsid, name: null };
  if (raw.link_index !== undefined) return { ifindex: raw.link_index, netnsid: null, name: raw.link ?? null };
  // Same namespace: iproute2 prints only the name (or `if<N>` when it cannot resolve it).
  if (raw.link) {
    const unresolved = /^if(\d+)$/.exec(raw.link);
    return unresolved ? { ifindex: Number(unresolved[1]), netnsid: null, name: null } : { ifindex: null, netnsid: null, name: raw.link };
  }
  return null;
}

const unset = (value: string | undefined) => (value === undefined || value === 'any' ? null : value);

function tunnelOf(command: string, kind: string, data: unknown, at: PropertyKey[]): TunnelInfo | null {
  if (!tunnelKinds.has(kind)) return null;
  const d = validate(command, tunnelDataSchema, data ?? {}, at);
  return {
    vni: d.id ?? null,
    local: unset(d.local ?? d.local6),
    remote: unset(d.remote ?? d.remote6),
    group: unset(d.group ?? d.group6),
    port: d.port ?? null,
    device: d.link ?? null,
    isLearning: d.learning ?? null,
  };
}

/** Parses `ip -j [-d] link [show DEV]`. */
export function parseIpLink(output: string, command = 'ip -j -d link'): Link[] {
  const raws = parseJsonOutput(command, z.array(linkSchema), output);
  return raws.map((raw, i) => {
    const kind = raw.linkinfo?.info_kind ?? null;
    const flags = raw.flags ?? [];
    return {
      ifindex: raw.ifindex,
      name: raw.ifname,
      kind,
      slaveKind: raw.linkinfo?.info_slave_kind ?? null,
      master: raw.master ?? null,
      flags,
      isUp: flags.includes('UP'),
      mtu: raw.mtu ?? null,
      operstate: raw.operstate ?? null,
      address: raw.address ?? null,
      peer: peerOf(raw),
      tunnel: kind ? tunnelOf(command, kind, raw.linkinfo?.info_data, [i, 'linkinfo', 'info_data']) : null,
      portState: raw.linkinfo?.info_slave_data?.state ?? null,
    };
  });
}
