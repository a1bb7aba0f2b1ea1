import fsp from 'node:fs/promises';
import path from 'node:path';
import { listSymlinks } from './walkTree';

/** A tar entry as far as safety is concerned. */
export interface ArchiveEntryFacts {
  path: string;
  type: string;
  linkpath?: string;
}

function climbsOut(relative: string): boolean {
  const normal = path.posix.normalize(relative);
  return normal === '..' || normal.startsWith('../');
}

function isAbsolute(p: string): boolean {
  return p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:/.test(p);
}

/**
 * Why an entry must not be extracted, or undefined when it is safe. Checked before the entry
 * is written: absolute paths, ".." segments, links that point outside the target, devices.
 */
export function unsafeEntryReason(entry: ArchiveEntryFacts): string | undefined {
  const p = entry.path;
  if (isAbsolute(p)) return `entry "${p}" has an absolute path`;
  if (p.split(/[/\\]/).includes('..')) return `entry "${p}" climbs out of the target with ".."`;
  if (entry.type === 'SymbolicLink') {
    const target = entry.linkpath ?? '';
    if (isAbsolute(target)) return `symlink "${p}" points to the absolute path "${target}", outside the target`;
    if (climbsOut(path.posix.join(path.posix.dirname(p), target))) {
      return `symlink "${p}" points to "${target}", outside the target`;
    }
  }
  if (entry.type === 'Link') {
    const target = entry.linkpath ?? '';
    if (isAbsolute(target) || climbsOut(target)) return `hard link "${p}" points to "${target}", outside the target`;
  }
  if (['CharacterDevice', 'BlockDevice', 'FIFO'].includes(entry.type)) {
    return `entry "${p}" is a device or FIFO (${entry.type}), which a restore does not create`;
  }
  return undefined;
}

/** The real location a path would have, resolving the symlinks of its existing part. */
async function resolveReal(p: string): Promise<string> {
  try {
    return await fsp.realpath(p);
  } catch {
    const parent = path.dirname(p);
    if (parent === p) return p;
    return path.join(await resolveReal(parent), path.basename(p));
  }
}

/**
 * Second line of defence after extraction into a temp folder: chains of symlinks can escape
 * even when each one looks harmless on its own.
 */
export async function findEscapingSymlinks(root: string): Promise<string[]> {
  const realRoot = await fsp.realpath(root);
  const problems: string[] = [];
  for (const { link, target } of await listSymlinks(root)) {
    const resolved = await resolveReal(path.resolve(path.dirname(link), target));
    if (resolved !== realRoot && !resolved.startsWith(`${realRoot}${path.sep}`)) {
      problems.push(`symlink "${path.relative(root, link)}" resolves to "${resolved}", outside the target`);
    }
  }
  return problems;
}
