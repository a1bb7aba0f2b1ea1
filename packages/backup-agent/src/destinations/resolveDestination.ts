import path from 'node:path';
import type { TargetConfig } from '../config/loadConfig';
import { DestinationNotAllowedError } from './DestinationNotAllowedError';

/** What a request may name for this target, for messages and GET /v1/targets. */
export function declaredDestinations(target: TargetConfig): string[] {
  return Object.entries(target.destinations).map(([name, value]) =>
    typeof value === 'string' ? name : `${name}/<sub-folder>`,
  );
}

function notAllowed(target: TargetConfig, requested: string): never {
  const declared = declaredDestinations(target);
  throw new DestinationNotAllowedError(
    `"${requested}" is not a restore destination of target "${target.name}": ${
      declared.length
        ? `name one of ${declared.join(', ')}`
        : 'it declares none, so it restores only into itself'
    } (the agent config's targets.${target.name}.destinations lists them)`,
  );
}

/**
 * The engine-form destination (what `restore --to` takes) behind a requested name, or a
 * refusal listing the declared ones. Nothing is looked up on disk or on a server: a name that is
 * not declared is refused before any connection or file access.
 */
export function resolveDestination(
  target: TargetConfig,
  requested: string,
): string {
  const slash = requested.indexOf('/');
  const name = slash < 0 ? requested : requested.slice(0, slash);
  const declared = Object.prototype.hasOwnProperty.call(
    target.destinations,
    name,
  )
    ? target.destinations[name]
    : undefined;
  if (declared === undefined) notAllowed(target, requested);
  if (typeof declared === 'string') {
    if (slash >= 0) notAllowed(target, requested);
    return declared;
  }
  const below = slash < 0 ? '' : requested.slice(slash + 1);
  const parts = below.split('/');
  // Only plain names below the root: no "..", no ".", no empty or absolute parts.
  if (
    below === '' ||
    parts.some(p => p === '' || p === '.' || p === '..' || p.includes('\\'))
  )
    notAllowed(target, requested);
  const resolved = path.resolve(declared.folder, ...parts);
  if (!resolved.startsWith(`${declared.folder}${path.sep}`))
    notAllowed(target, requested);
  return resolved;
}
