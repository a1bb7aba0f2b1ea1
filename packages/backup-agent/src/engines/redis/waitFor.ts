/** Polls `probe` until it returns a value (not undefined), or throws `timeoutMessage()` after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  options: {
    timeoutMs: number;
    intervalMs?: number;
    timeoutMessage: () => string;
  },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(options.timeoutMessage());
    await new Promise(resolve =>
      setTimeout(resolve, options.intervalMs ?? 100),
    );
  }
}
