import { s3RetryRules } from '../libraries';

/** Waits before the 2nd, 3rd and 4th attempt (each with jitter): about 5 s in all. */
const DEFAULT_DELAYS_MS = [250, 1000, 4000];

/**
 * A network error the SDK passed on as text ("AWS SDK error wrapper for TimeoutError: socket
 * hang up"): it does so with errors that are not instances of its realm's Error, as Node's own
 * socket errors are under a test runner's sandbox.
 */
const WRAPPED_NETWORK_ERROR =
  /^AWS SDK error wrapper for .*(socket hang up|ECONNRESET|EPIPE|ETIMEDOUT)/;

/** What the SDK itself would retry: 5xx, throttling (SlowDown, 429), timeouts, resets. */
function isRetryable(error: unknown): boolean {
  const { isServerError, isThrottlingError, isTransientError } = s3RetryRules();
  const e = error as Parameters<typeof isTransientError>[0];
  return (
    isTransientError(e) ||
    isThrottlingError(e) ||
    isServerError(e) ||
    WRAPPED_NETWORK_ERROR.test(String((error as Error)?.message ?? ''))
  );
}

/**
 * Sends a request whose body is a stream, retrying what the SDK would retry. The SDK never
 * retries a streaming body (it cannot be replayed): one 503 or reset on one part used to fail
 * the whole backup. `attempt` builds the request anew each time, its stream opened again from
 * the part file on disk.
 */
export async function retryStreamingRequest<T>(
  attempt: () => Promise<T>,
  delaysMs: readonly number[] = DEFAULT_DELAYS_MS,
): Promise<T> {
  for (let tried = 0; ; tried++) {
    try {
      return await attempt();
    } catch (error) {
      if (tried >= delaysMs.length || !isRetryable(error)) throw error;
      const wait = delaysMs[tried] * (0.5 + Math.random());
      await new Promise(resolve => setTimeout(resolve, wait));
    }
  }
}
