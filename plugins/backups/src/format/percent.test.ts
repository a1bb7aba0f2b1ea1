import { formatPercent } from './percent';

describe('formatPercent', () => {
  it.each([
    [0, '0%'],
    [0.5, '50%'],
    [0.966, '97%'],
    [0.9966, '99.6%'],
    [0.99999, '99.9%'],
    [1, '100%'],
  ])('%d reads as %s', (share, text) => {
    expect(formatPercent(share)).toBe(text);
  });
});
