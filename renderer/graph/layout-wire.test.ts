import { describe, expect, it } from 'vitest';
import { derive } from '../../shared/topology/derive.ts';
import { generateCluster } from '../../test/fixtures/generate.ts';
import { toGraphElements } from './elements.ts';
import { computeLayout } from './layout.ts';
import { fromLayoutColumns, fromPositionColumns, toLayoutColumns, toPositionColumns } from './layout-wire.ts';

describe('the layout worker\'s columns', () => {
  const elements = toGraphElements(derive(generateCluster(400)));

  it('lay out exactly as the elements they stand for', () => {
    const columns = toLayoutColumns(elements);
    expect(columns.ids).toHaveLength(elements.filter((e) => e.group === 'nodes').length);
    for (const growthRoom of [false, true]) {
      expect(computeLayout(fromLayoutColumns(columns), { growthRoom }).positions).toEqual(computeLayout(elements, { growthRoom }).positions);
    }
  });

  it('carry every position back, and none for a compound', () => {
    const columns = toLayoutColumns(elements);
    const { positions } = computeLayout(elements);
    const back = fromPositionColumns(columns.ids, toPositionColumns(columns.ids, positions));
    expect(Object.fromEntries(back)).toEqual(positions);
    const host = elements.find((e) => e.group === 'nodes' && e.data.kind === 'host')!;
    expect(back.has(host.data.id)).toBe(false);
  });
});
