import { describe, expect, test } from 'vitest';
import { addressInCIDR, cidrContains } from './ip.ts';

describe('addressInCIDR', () => {
  test.each([
    ['10.244.1.0/24', 1, '10.244.1.1'],
    ['10.244.1.77/24', 1, '10.244.1.1'],
    ['10.244.0.0/16', 0, '10.244.0.0'],
    ['10.244.0.0/23', 256, '10.244.1.0'],
    ['10.1.2.128/25', 1, '10.1.2.129'],
    ['fd00:10:244:1::/64', 1, 'fd00:10:244:1::1'],
  ])('%s + %d = %s', (cidr, offset, expected) => {
    expect(addressInCIDR(cidr, offset)).toBe(expected);
  });

  test('rejects what is not a CIDR', () => {
    expect(addressInCIDR('10.244.1.0', 1)).toBeNull();
    expect(addressInCIDR('nonsense/24', 1)).toBeNull();
  });
});

test('cidrContains', () => {
  expect(cidrContains('10.244.0.0/16', '10.244.2.9')).toBe(true);
  expect(cidrContains('10.244.0.0/16', '10.245.0.1')).toBe(false);
  expect(cidrContains('10.244.0.0/16', 'fd00::1')).toBe(false);
});
