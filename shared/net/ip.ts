/** Address arithmetic the model needs, on top of ipaddr.js. */
import ipaddr from 'ipaddr.js';

export function isValidIP(text: string): boolean {
  return ipaddr.isValid(text);
}

/** Parses `a.b.c.d/n` or an IPv6 CIDR; null when it is not one. */
export function parseCIDR(cidr: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | null {
  try {
    return ipaddr.parseCIDR(cidr);
  } catch {
    return null;
  }
}

/** The network address of a CIDR with `offset` added: offset 1 is the first host address,
 * which bridge CNIs give their bridge (cni0 on 10.244.1.0/24 is 10.244.1.1). */
export function addressInCIDR(cidr: string, offset: number): string | null {
  const parsed = parseCIDR(cidr);
  if (!parsed) return null;
  const [address, bits] = parsed;
  const bytes = address.toByteArray();
  const hostBits = bytes.length * 8 - bits;
  // Mask to the network address, then add the offset from the least significant byte up.
  for (let i = 0; i < bytes.length; i++) {
    const bitIndex = (bytes.length - 1 - i) * 8;
    const keep = Math.max(0, Math.min(8, bitIndex + 8 - hostBits));
    bytes[i] = (bytes[i] ?? 0) & (0xff << (8 - keep)) & 0xff;
  }
  let carry = offset;
  for (let i = bytes.length - 1; i >= 0 && carry > 0; i--) {
    const sum = (bytes[i] ?? 0) + (carry & 0xff);
    bytes[i] = sum & 0xff;
    carry = (carry >>> 8) + (sum >> 8);
  }
  return ipaddr.fromByteArray(bytes).toString();
}

/**
 * `addressInCIDR` with a fast path for IPv4: at 5,000 nodes this runs tens of thousands of
 * times, and ipaddr.js tries (and throws on) IPv6 first for every IPv4 CIDR.
 */
export function cidrAddress(cidr: string, offset: number): string | null {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!match) return addressInCIDR(cidr, offset);
  const octets = match.slice(1, 5).map(Number);
  const bits = Number(match[5]);
  if (bits > 32 || octets.some((o) => o > 255)) return null;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const value = ((((octets[0] ?? 0) << 24) | ((octets[1] ?? 0) << 16) | ((octets[2] ?? 0) << 8) | (octets[3] ?? 0)) >>> 0) & mask;
  const address = (value + offset) >>> 0;
  return `${address >>> 24}.${(address >>> 16) & 255}.${(address >>> 8) & 255}.${address & 255}`;
}

const octet = '(0|[1-9]\\d{0,2})';
const ipv4Address = new RegExp(`^${octet}\\.${octet}\\.${octet}\\.${octet}$`);
const ipv4CIDR = new RegExp(`^${octet}\\.${octet}\\.${octet}\\.${octet}/(\\d{1,2})$`);

/** Four decimal octets (no leading zeros, which ipaddr.js reads as octal) as a number, or null. */
function ipv4Value(match: RegExpExecArray | null): number | null {
  if (!match) return null;
  const octets = match.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return null;
  return (((octets[0] ?? 0) << 24) | ((octets[1] ?? 0) << 16) | ((octets[2] ?? 0) << 8) | (octets[3] ?? 0)) >>> 0;
}

export function cidrContains(cidr: string, ip: string): boolean {
  // IPv4 without ipaddr.js, which tries (and throws on) IPv6 first: the doctor asks this of every
  // pod at each live update (issue 14).
  const range = ipv4CIDR.exec(cidr);
  const network = ipv4Value(range);
  const value = ipv4Value(ipv4Address.exec(ip));
  const bits = Number(range?.[5]);
  if (network !== null && value !== null && bits <= 32) {
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    return ((network & mask) >>> 0) === ((value & mask) >>> 0);
  }
  const parsed = parseCIDR(cidr);
  if (!parsed || !ipaddr.isValid(ip)) return false;
  const address = ipaddr.parse(ip);
  if (address.kind() !== parsed[0].kind()) return false;
  return address.match(parsed);
}

/** Parses an address as people write them — four decimal parts for IPv4, or IPv6 — and nothing
 * else: ipaddr.js alone also takes `10` or `0x0a000001`, which in a search box are names. */
export function parseIPStrict(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  const trimmed = text.trim();
  if (ipaddr.IPv4.isValidFourPartDecimal(trimmed)) return ipaddr.IPv4.parse(trimmed);
  if (trimmed.includes(':') && ipaddr.IPv6.isValid(trimmed)) return ipaddr.IPv6.parse(trimmed);
  return null;
}

/** Parses `a.b.c.d/n` (or IPv6) written strictly, as `parseIPStrict` does the address. */
export function parseCIDRStrict(text: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | null {
  const match = /^([^/\s]+)\/(\d{1,3})$/.exec(text.trim());
  if (!match?.[1] || !match[2]) return null;
  const address = parseIPStrict(match[1]);
  const bits = Number(match[2]);
  if (!address || bits > (address.kind() === 'ipv4' ? 32 : 128)) return null;
  return [address, bits];
}

/** Whether an address or CIDR is written as IPv6. */
export const isV6 = (address: string): boolean => address.includes(':');

/** The address of `a.b.c.d/n` (or IPv6), or the address itself when it has no prefix. */
export const bareAddress = (address: string): string => {
  // Without split: this runs for every pod address when a trace looks up an end (150k pods).
  const slash = address.indexOf('/');
  return slash < 0 ? address : address.slice(0, slash);
};
