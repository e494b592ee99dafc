/** The hashes kube-proxy and CNIs name things with, as hex or base32 (RFC 4648, A–Z2–7). */
import { base32 } from '@scure/base';
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

export const sha1Hex = (text: string): string => bytesToHex(sha1(utf8ToBytes(text)));
export const sha256Hex = (text: string): string => bytesToHex(sha256(utf8ToBytes(text)));
export const sha256Base32 = (text: string): string => base32.encode(sha256(utf8ToBytes(text)));

/** The first `chars` characters of `sha256Base32(text)`. Base32 writes each 5 bytes as 8
 * characters of their own, so only the bytes those characters come from are encoded (kube-proxy
 * names a chain for every Service port and endpoint, and keeps 8 or 16 characters). */
export function sha256Base32Prefix(text: string, chars: number): string {
  const bytes = Math.ceil(chars / 8) * 5;
  return base32.encode(sha256(utf8ToBytes(text)).subarray(0, bytes)).slice(0, chars);
}
