/**
 * Whether some subject matches both patterns (`*` is one token, `>` one or more trailing
 * tokens). JetStream refuses two streams whose subjects overlap; checking first lets a
 * restore refuse before it changes anything, naming the stream in the way.
 */
export function subjectsOverlap(a: string, b: string): boolean {
  const left = a.split('.');
  const right = b.split('.');
  for (let i = 0; ; i++) {
    const x = left[i];
    const y = right[i];
    if (x === undefined || y === undefined) return x === y;
    if (x === '>' || y === '>') return true;
    if (x !== '*' && y !== '*' && x !== y) return false;
  }
}

export function anyOverlap(
  ours: string[],
  theirs: string[],
): string | undefined {
  for (const a of ours) {
    for (const b of theirs) {
      if (subjectsOverlap(a, b)) return `${a} / ${b}`;
    }
  }
  return undefined;
}
