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
export function unsafeEntryReason(
  entry: ArchiveEntryFacts,
): string | undefined {
  const p = entry.path;
  if (isAbsolute(p)) return `entry "${p}" has an absolute path`;
  if (p.split(/[/\\]/).includes('..'))
    return `entry "${p}" climbs out of the target with ".."`;
  if (entry.type === 'SymbolicLink') {
    const target = entry.linkpath ?? '';
    if (isAbsolute(target))
      return `symlink "${p}" points to the absolute path "${target}", outside the target`;
    if (climbsOut(path.posix.join(path.posix.dirname(p), target))) {
      return `symlink "${p}" points to "${target}", outside the target`;
    }
  }
  if (entry.type === 'Link') {
    const target = entry.linkpath ?? '';
    if (isAbsolute(target) || climbsOut(target))
      return `hard link "${p}" points to "${target}", outside the target`;
  }
  if (['CharacterDevice', 'BlockDevice', 'FIFO'].includes(entry.type)) {
    return `entry "${p}" is a device or FIFO (${entry.type}), which a restore does not create`;
  }
  return undefined;
}

/**
 * Where a symlink really leads, step by step as the OS would walk it: each part that exists
 * is resolved with realpath before the next ".." applies, so `up/..` with `up -> ..` is seen
 * for what it is. Parts that do not exist (dangling links) are taken as written.
 */
async function resolveLinkTarget(
  link: string,
  target: string,
): Promise<string> {
  let current = path.isAbsolute(target)
    ? path.parse(target).root
    : await fsp.realpath(path.dirname(link));
  for (const segment of target.split(/[/\\]/)) {
    if (!segment || segment === '.') continue;
    if (segment === '..') {
      current = path.dirname(current);
      continue;
    }
    const next = path.join(current, segment);
    current = await fsp.realpath(next).catch(() => next);
  }
  return current;
}

/**
 * Second line of defence after extraction into a temp folder: chains of symlinks can escape
 * even when each one looks harmless on its own.
 */
export async function findEscapingSymlinks(root: string): Promise<string[]> {
  const realRoot = await fsp.realpath(root);
  const problems: string[] = [];
  for (const { link, target } of await listSymlinks(root)) {
    const resolved = await resolveLinkTarget(link, target);
    if (
      resolved !== realRoot &&
      !resolved.startsWith(`${realRoot}${path.sep}`)
    ) {
      problems.push(
        `symlink "${path.relative(
          root,
          link,
        )}" resolves to "${resolved}", outside the target`,
      );
    }
  }
  return problems;
}

const MAX_LINK_HOPS = 40;

/**
 * The chain-of-symlinks check of findEscapingSymlinks for an archive that is never unpacked
 * locally (a volume restored through the Docker API): each symlink and hard link target is
 * resolved against the archive's own entries, link by link, and must stay inside the root.
 */
export function findEscapingLinksInEntries(
  entries: ArchiveEntryFacts[],
): string[] {
  const links = new Map<string, string>();
  const normal = (p: string) =>
    path.posix
      .normalize(p.replace(/^(\.\/)+/, ''))
      .replace(/\/+$/, '')
      .replace(/^\.$/, '');
  for (const entry of entries) {
    if (entry.type === 'SymbolicLink' && entry.linkpath !== undefined)
      links.set(normal(entry.path), entry.linkpath);
  }

  /** Walks `segments` from `base` (a path inside the root, as parts); undefined when it leaves the root. */
  const resolve = (
    base: string[],
    target: string,
    hops: number,
  ): string[] | undefined => {
    if (hops > MAX_LINK_HOPS || target.startsWith('/')) return undefined;
    let current = [...base];
    for (const segment of target.split('/')) {
      if (!segment || segment === '.') continue;
      if (segment === '..') {
        if (current.length === 0) return undefined;
        current.pop();
        continue;
      }
      current.push(segment);
      const link = links.get(current.join('/'));
      if (link !== undefined) {
        const resolved = resolve(current.slice(0, -1), link, hops + 1);
        if (!resolved) return undefined;
        current = resolved;
      }
    }
    return current;
  };

  const problems: string[] = [];
  for (const entry of entries) {
    const at = normal(entry.path);
    if (entry.type === 'SymbolicLink' && entry.linkpath !== undefined) {
      const parent = at.split('/').slice(0, -1).filter(Boolean);
      if (!resolve(parent, entry.linkpath, 0))
        problems.push(
          `symlink "${at}" resolves to a place outside the target (through "${entry.linkpath}")`,
        );
    } else if (entry.type === 'Link' && entry.linkpath !== undefined) {
      if (!resolve([], normal(entry.linkpath), 0))
        problems.push(
          `hard link "${at}" points to "${entry.linkpath}", outside the target`,
        );
    }
  }
  return problems;
}
