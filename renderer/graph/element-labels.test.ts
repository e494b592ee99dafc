import { expect, test } from 'vitest';
import type { PodRecord } from '../../shared/model/types.ts';
import { podLabel } from './element-labels.ts';

test('a name holding a line break, an escape sequence or a bidirectional override is drawn as visible escapes, one line per line of the label (issue 12)', () => {
  const pod = { name: 'fe\n10.0.0.1\u001b[2J\u202egnp', ips: ['10.244.1.5'], phase: 'Running', isHostNetwork: false } as PodRecord;
  const lines = podLabel(pod, null).split('\n');
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(/^fe\\u000a10\.0\.0\.1\\u001b\[2J/);
  expect([...lines[0]!].filter((c) => c.charCodeAt(0) < 0x20 || c === '\u202e')).toEqual([]);
  expect(lines[1]).toBe('10.244.1.5');
});
