import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh temp folder per test, removed afterwards. Use inside a describe block. */
export function useTempDir(prefix = 'safekeep-agent-test-'): () => string {
  let dir = '';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return () => dir;
}

/** Every file below a folder, relative, sorted: to assert nothing else was left behind. */
export function listFiles(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  return (
    fs.readdirSync(root, {
      recursive: true,
      withFileTypes: true,
    }) as fs.Dirent[]
  )
    .filter(e => !e.isDirectory())
    .map(e =>
      path.relative(
        root,
        path.join(
          e.parentPath ?? (e as unknown as { path: string }).path,
          e.name,
        ),
      ),
    )
    .sort();
}
