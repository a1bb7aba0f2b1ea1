import { inVerifySubset } from './inVerifySubset';

describe('inVerifySubset', () => {
  const ids = Array.from(
    { length: 200 },
    (_, i) => `202601${String(1 + (i % 28)).padStart(2, '0')}T0${i % 10}0000Z`,
  ).map((id, i) => (i >= 28 ? `${id}-${i}` : id));

  it('reads every snapshot exactly once in N rounds of 1/N, whatever round it starts at', () => {
    for (const parts of [1, 3, 7]) {
      const seen = new Map<string, number>();
      for (let round = 5; round < 5 + parts; round++)
        for (const id of ids.filter(x =>
          inVerifySubset(x, { kind: 'part', of: parts }, round),
        ))
          seen.set(id, (seen.get(id) ?? 0) + 1);
      expect(seen.size).toBe(ids.length);
      expect([...seen.values()].every(n => n === 1)).toBe(true);
    }
  });

  it('reads roughly 1/N a round, and all of them with "all"', () => {
    const part = ids.filter(x => inVerifySubset(x, { kind: 'part', of: 4 }, 0));
    expect(part.length).toBeGreaterThan(25);
    expect(part.length).toBeLessThan(75);
    expect(ids.every(x => inVerifySubset(x, { kind: 'all' }, 3))).toBe(true);
  });
});
