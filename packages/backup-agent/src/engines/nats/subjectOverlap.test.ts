import { anyOverlap, subjectsOverlap } from './subjectOverlap';

describe('subjectsOverlap', () => {
  it.each([
    ['orders.new', 'orders.new', true],
    ['orders.new', 'orders.old', false],
    ['orders.*', 'orders.new', true],
    ['orders.*', 'orders.new.eu', false],
    ['orders.>', 'orders.new.eu', true],
    ['orders.>', 'orders', false],
    ['*.new', 'orders.*', true],
    ['>', 'anything.at.all', true],
    ['a.*.c', 'a.b.d', false],
    ['a.>', 'b.>', false],
  ])('%s and %s overlap: %s', (a, b, expected) => {
    expect(subjectsOverlap(a, b)).toBe(expected);
    expect(subjectsOverlap(b, a)).toBe(expected);
  });

  it('names the first overlapping pair', () => {
    expect(anyOverlap(['x.a', 'orders.>'], ['y', 'orders.eu.new'])).toBe(
      'orders.> / orders.eu.new',
    );
    expect(anyOverlap(['x.a'], ['y'])).toBeUndefined();
  });
});
