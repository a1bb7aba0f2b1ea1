import { collector, youngGarbageCollector } from './youngGarbage';

describe('young garbage collection while streaming', () => {
  it("has V8's collector on this Node", () => {
    const collect = collector();
    expect(collect).toEqual(expect.any(Function));
    expect(() => collect!({ type: 'minor' })).not.toThrow();
  });

  it('collects once per interval of bytes, also when the count jumps', () => {
    const calls: number[] = [];
    let current = 0;
    const onBytes = youngGarbageCollector(100, () => calls.push(current));
    for (current of [10, 99, 100, 150, 199, 420, 430, 519, 520])
      onBytes(current);
    expect(calls).toEqual([100, 420, 520]);
  });
});
