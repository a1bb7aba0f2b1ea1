import { collector } from '../pipeline/youngGarbage';

/**
 * One full collection once the agent listens. Start-up (loading the modules, parsing the config,
 * the leftovers sweep) leaves garbage and a young generation grown to hold it; V8's memory
 * reducer collects it on its own after about ten idle seconds (measured: 72 MiB resident one
 * second after start, 66 MiB from about ten seconds on). Collecting at once means a waiting agent
 * holds only what it uses from its first request on, not after a while. A few milliseconds, once.
 */
export function collectStartupGarbage(): void {
  collector()?.({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}
