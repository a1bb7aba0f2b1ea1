import { createHash } from 'node:crypto';

/**
 * `count` blocks of text-like lines (compressible, each block unlike the others), block `i`
 * holding `lines(i)` lines: test input for compressors.
 */
export function textBlocks(
  count: number,
  lines: (block: number) => number,
): Buffer[] {
  return Array.from({ length: count }, (_, i) =>
    Buffer.from(
      Array.from(
        { length: lines(i) },
        (__, j) =>
          `${i}:${j}\t${createHash('sha256')
            .update(`${i}/${j}`)
            .digest('hex')}\n`,
      ).join(''),
    ),
  );
}
