/** `ip -j addr` (iproute2 ip/ipaddress.c print_addrinfo): each link with its `addr_info`. */
import { z } from 'zod';
import { linkFields, peerOf } from './ip-link.ts';
import { parseJsonOutput } from './parse-error.ts';
import type { LinkAddresses } from './types.ts';

const addrInfoSchema = z.object({
  family: z.string(),
  local: z.string().optional(),
  prefixlen: z.number().int().nonnegative().optional(),
  /** The point-to-point peer (`peer 10.0.0.2/32`). */
  address: z.string().optional(),
  scope: z.string().optional(),
});

const schema = z.array(z.object({ ...linkFields, addr_info: z.array(addrInfoSchema).optional() }));

/** Parses `ip -j addr [show DEV]`. Families other than inet/inet6 (none today) are skipped. */
export function parseIpAddr(output: string, command = 'ip -j addr'): LinkAddresses[] {
  return parseJsonOutput(command, schema, output).map((raw) => ({
    ifindex: raw.ifindex,
    name: raw.ifname,
    peer: peerOf(raw),
    macAddress: raw.address ?? null,
    addresses: (raw.addr_info ?? []).flatMap((a) => {
      if ((a.family !== 'inet' && a.family !== 'inet6') || a.local === undefined) return [];
      const prefixlen = a.prefixlen ?? (a.family === 'inet' ? 32 : 128);
      return [{ family: a.family, local: a.local, prefixlen, cidr: `${a.local}/${prefixlen}`, scope: a.scope ?? null, peer: a.address ?? null }];
    }),
  }));
}
