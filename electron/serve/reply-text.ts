/**
 * The text of a reply on the socket, with the topology it carries serialised once (issue 14).
 *
 * A whole state is mostly its topology: at 10k pods, 18 MB of JSON that takes longer to write than
 * the page takes to read it. A topology never changes once made (deltas make new ones), so its
 * text is kept beside it and spliced into every reply that carries it; `warm` writes it before
 * the page asks, while the page is still loading its scripts.
 */
import { randomBytes } from 'node:crypto';
import type { Reply, WireMessage } from '../../shared/ipc.ts';
import type { Topology } from '../../shared/model/types.ts';

const texts = new WeakMap<Topology, string>();

/** Stands for the topology in the reply's own text; random, so no value in a reply can spell it. */
const placeholder = `podpath-topology-${randomBytes(12).toString('hex')}`;
const quotedPlaceholder = JSON.stringify(placeholder);

export function topologyText(topology: Topology): string {
  let text = texts.get(topology);
  if (text === undefined) {
    text = JSON.stringify(topology);
    texts.set(topology, text);
  }
  return text;
}

function carriedTopology(value: unknown): Topology | null {
  if (typeof value !== 'object' || value === null || !('topology' in value)) return null;
  const topology = (value as { topology: unknown }).topology;
  return typeof topology === 'object' && topology !== null ? (topology as Topology) : null;
}

/** Writes a state's topology ahead of the reply that will carry it. */
export function warm(reply: Reply<unknown>): void {
  const topology = reply.ok ? carriedTopology(reply.value) : null;
  if (topology) topologyText(topology);
}

export function replyText(id: number, reply: Reply<unknown>): string {
  const topology = reply.ok ? carriedTopology(reply.value) : null;
  if (!reply.ok || !topology) return JSON.stringify({ type: 'reply', id, reply } satisfies WireMessage);
  const value = { ...(reply.value as object), topology: placeholder };
  const text = JSON.stringify({ type: 'reply', id, reply: { ok: true, value } } satisfies WireMessage);
  const at = text.indexOf(quotedPlaceholder);
  return text.slice(0, at) + topologyText(topology) + text.slice(at + quotedPlaceholder.length);
}
