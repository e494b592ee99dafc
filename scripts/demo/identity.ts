/**
 * Deterministic identity for the demo: hashes stand in for the randomness the API server and
 * controllers use (uids, generated name suffixes, template hashes), and timestamps are fixed
 * offsets from the cluster's creation, so re-running scripts/make-demo.ts gives the same bytes.
 */
import { createHash } from 'node:crypto';
import type { ObjectMeta } from '../../shared/kube/objects.ts';
import { clusterCreatedMs } from './facts.ts';

export function digest(seed: string): Buffer {
  return createHash('sha256').update(seed).digest();
}

/** A version-4-shaped UUID derived from the object's kind and name, like the API server's uids. */
export function uid(kind: string, namespace: string | undefined, name: string): string {
  const hex = digest(`uid:${kind}/${namespace ?? ''}/${name}`).toString('hex');
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The alphabet of Kubernetes' generated name suffixes and pod-template hashes (no vowels, no 0/1/3). */
const safeAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

export function safeString(seed: string, length: number): string {
  const bytes = digest(`name:${seed}`);
  let out = '';
  for (let i = 0; i < length; i++) out += safeAlphabet.charAt((bytes[i] ?? 0) % safeAlphabet.length);
  return out;
}

/** A pod-template or controller-revision hash: Kubernetes writes the decimal FNV-32 hash of the
 * template through the same alphabet, which is why these look like `7d4b9c8f6d`. */
export function templateHashOf(seed: string): string {
  const decimal = String(digest(`template:${seed}`).readUInt32BE(0));
  return [...decimal].map((digit) => safeAlphabet.charAt(digit.charCodeAt(0) % safeAlphabet.length)).join('');
}

/** A fixed instant, `minutes` (and `seconds`) after the cluster was created, as the API writes it. */
export function at(minutes: number, seconds = 0): string {
  return new Date(clusterCreatedMs + minutes * 60_000 + seconds * 1000).toISOString().replace('.000Z', 'Z');
}

export function meta(kind: string, namespace: string | undefined, name: string, created: number, extra: Partial<ObjectMeta> = {}): ObjectMeta {
  return {
    name,
    ...(namespace === undefined ? {} : { namespace }),
    uid: uid(kind, namespace, name),
    ...extra,
    creationTimestamp: at(created),
  };
}
