import { resolveDestination } from '../destinations/resolveDestination';
import type { SnapshotService } from '../snapshots/SnapshotService';

/**
 * Checks what a restore request names before anything runs: the target must be one this agent
 * knows (404), and a destination must be declared (403). `from` may be a target of another agent
 * sharing the storage; the request schema allows only a name there, never a path. Returns the
 * destination in the engine's form.
 */
export async function declaredRestoreChoices(
  service: SnapshotService,
  body: { target: string; destination?: string },
): Promise<string | undefined> {
  const target = await service.resolveTarget(body.target);
  return body.destination === undefined
    ? undefined
    : resolveDestination(target, body.destination);
}
