import { InputError } from '@backstage/errors';
import type { RestoreAgent } from '../agent/RestoreAgent';

/** Whether a requested destination is one the agent lists (`name`, or `root/<sub-folder>`). */
export function isDeclared(declared: string[], requested: string): boolean {
  return declared.some(entry => {
    const root = /^(.+)\/<sub-folder>$/.exec(entry)?.[1];
    if (!root) return entry === requested;
    const below = requested.startsWith(`${root}/`)
      ? requested.slice(root.length + 1).split('/')
      : [];
    return below.length > 0 && below.every(p => p && p !== '.' && p !== '..');
  });
}

/**
 * A restore elsewhere (destination kind `other`) must name a destination the target's agent
 * declares (`targets.<name>.destinations` in its config): refused at request time with the list,
 * before any preview asks the agent to look at it. An agent too old to list them answers
 * without the field; it then refuses an undeclared destination itself when the restore runs.
 */
export async function requireDeclaredDestination(
  agent: RestoreAgent,
  target: string,
  requested: string,
): Promise<void> {
  const entry = (await agent.listTargets()).find(t => t.name === target);
  const declared = entry?.destinations;
  if (!Array.isArray(declared)) return;
  const names = declared.filter((d): d is string => typeof d === 'string');
  if (isDeclared(names, requested)) return;
  throw new InputError(
    `destination.path: "${requested}" is not a restore destination of target "${target}" on agent "${
      agent.name
    }": ${
      names.length
        ? `name one of ${names.join(', ')}`
        : 'it declares none, so it restores only in place'
    } (declared in the agent config under targets.${target}.destinations)`,
  );
}
