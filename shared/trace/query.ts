/**
 * A trace query's port and protocol as a user types them, read the same way by the CLI
 * (`podpath trace --port/--protocol`, a `--batch` line) and the app's trace panel.
 */
import type { Protocol } from './types.ts';

const protocols: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

/** A destination port: digits only, 1 to 65535 (0 is no port a packet goes to). */
export function parsePort(text: string): { port: number } | { error: string } {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) return { error: 'expected a port number from 1 to 65535.' };
  return { port };
}

/** A protocol, in any case: `tcp` is TCP. */
export function parseProtocol(text: string): { protocol: Protocol } | { error: string } {
  const protocol = protocols.find((p) => p === text.toUpperCase());
  return protocol ? { protocol } : { error: 'expected TCP, UDP or SCTP.' };
}

/** What follows the colon of `ns/pod:x` or `svc/ns/name:x`: digits are a port, and must be one
 * (a container or port name of digits only is read as a port); anything else is a name — of a
 * container, or of a port — which the end it follows decides. */
export function parsePortOrName(text: string): { port: number } | { name: string } | { error: string } {
  if (/^\d+$/.test(text)) return parsePort(text);
  return text === '' ? { error: 'expected a port number or name after the colon.' } : { name: text };
}

/** An address family: `4` or `6` (also `ipv4`, `IPv6`). */
export function parseFamily(text: string): { family: 4 | 6 } | { error: string } {
  const digit = /^(?:ipv)?([46])$/i.exec(text.trim())?.[1];
  return digit ? { family: digit === '6' ? 6 : 4 } : { error: 'expected 4 or 6.' };
}
