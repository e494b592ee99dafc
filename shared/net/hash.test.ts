import fc from 'fast-check';
import { expect, test } from 'vitest';
import { sha256Base32, sha256Base32Prefix } from './hash.ts';

test('a prefix of the base32 sha256 is the prefix of the whole, whatever its length', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme' }), fc.integer({ min: 1, max: 52 }), (text, chars) => {
      expect(sha256Base32Prefix(text, chars)).toBe(sha256Base32(text).slice(0, chars));
    }),
  );
  // kube-proxy's own: the chain of ServicePortName "ns1/svc1:p80", TCP, in kubernetes/kubernetes
  // pkg/proxy/iptables/proxier_test.go TestTracePacket's rules.
  expect(`KUBE-SVC-${sha256Base32Prefix('ns1/svc1:p80tcp', 16)}`).toBe('KUBE-SVC-XPGD46QRK7WJZT7O');
});
