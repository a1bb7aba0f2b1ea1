import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SnapshotService } from '../../snapshots/SnapshotService';
import { craftSnapshot } from '../../testing/craftSnapshot';
import { useTempDir } from '../../testing/tempDir';
import { testConfig } from '../../testing/testConfig';
import * as tar from 'tar';
import { unsafeEntryReason } from './archiveSafety';
import { directoryDriver } from './DirectoryDriver';

/** path -> content hash, "dir", or "-> link target"; the whole observable tree. */
function describeTree(root: string): Record<string, string> {
  const tree: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      const rel = path.relative(root, full);
      if (entry.isSymbolicLink()) tree[rel] = `-> ${fs.readlinkSync(full)}`;
      else if (entry.isDirectory()) {
        tree[rel] = 'dir';
        walk(full);
      } else
        tree[rel] = createHash('sha256')
          .update(fs.readFileSync(full))
          .digest('hex');
    }
  };
  walk(root);
  return tree;
}

function write(file: string, content: string | Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

describe('directory engine', () => {
  const tempDir = useTempDir();

  function setup(extra: Record<string, unknown> = {}) {
    const dir = tempDir();
    const root = path.join(dir, 'files');
    write(path.join(root, 'notes.txt'), 'hello\n');
    write(
      path.join(root, 'deep/a/b/data.bin'),
      Buffer.from(Array.from({ length: 70000 }, (_, i) => i % 251)),
    );
    write(path.join(root, 'deep/app.log'), 'excluded by pattern\n');
    write(path.join(root, 'node_modules/pkg/index.js'), 'excluded by default');
    write(path.join(root, '.git/HEAD'), 'ref: refs/heads/main');
    write(path.join(root, 'uploads/tmp/part'), 'excluded by path');
    write(path.join(root, 'uploads/keep.txt'), 'kept');
    fs.mkdirSync(path.join(root, 'empty'));
    fs.symlinkSync('notes.txt', path.join(root, 'link-to-notes'));
    const config = testConfig(dir, {
      files: {
        engine: 'directory',
        path: './files',
        exclude: ['*.log', 'uploads/tmp'],
        ...extra,
      },
    });
    return { dir, root, service: new SnapshotService(config) };
  }

  const EXCLUDED = [
    'deep/app.log',
    'node_modules',
    'node_modules/pkg',
    'node_modules/pkg/index.js',
    '.git',
    '.git/HEAD',
    'uploads/tmp',
    'uploads/tmp/part',
  ];

  it('round-trips a folder, leaving out default and configured excludes', async () => {
    const { root, service } = setup();
    const original = describeTree(root);
    const expected = Object.fromEntries(
      Object.entries(original).filter(([p]) => !EXCLUDED.includes(p)),
    );

    const { snapshots, manifest } = await service.backup('files');
    expect(manifest.details).toEqual({ files: 3, bytes: 6 + 70000 + 4 });
    expect(snapshots[0].artifacts[0].name).toBe('files.tar.chunks.zst');

    fs.rmSync(path.join(root, 'notes.txt'));
    write(path.join(root, 'new.txt'), 'added after the backup');
    await expect(service.restore('files', snapshots[0].id)).rejects.toThrow(
      /the destination is not empty: .* holds \d+ entries/,
    );

    const result = await service.restore('files', snapshots[0].id, {
      force: true,
    });
    expect(result.differences).toEqual([]);
    expect(describeTree(root)).toEqual(expected);
    // The swap leaves nothing next to the folder.
    expect(
      fs.readdirSync(path.dirname(root)).filter(n => n.includes('safekeep')),
    ).toEqual([]);
  });

  it("in a cut, stage() copies the folder's tar raw into staging; later changes are not in it, and close deletes it", async () => {
    const { dir, root } = setup();
    const config = testConfig(dir, {
      files: { engine: 'directory', path: './files', exclude: ['*.log'] },
    });
    const target = config.targets.files;
    const stagingDir = path.join(dir, 'staging');
    const backup = await directoryDriver.stage!(target.settings as never, {
      targetName: 'files',
      stagingDir,
      log: () => undefined,
      docker: () => {
        throw new Error('no Docker for a folder');
      },
    });
    // The writers run again: this file comes after the cut.
    write(path.join(root, 'after-the-cut.txt'), 'later');
    expect(fs.readdirSync(stagingDir)).toEqual([
      expect.stringMatching(/^cut-[0-9a-f]+-files-files\.tar$/),
    ]);
    const names: string[] = [];
    for await (const artifact of backup.artifacts()) {
      const parser = new tar.Parser();
      parser.on('entry', entry => {
        names.push(entry.path);
        entry.resume();
      });
      for await (const chunk of artifact.stream) parser.write(chunk);
      parser.end();
    }
    expect(names).toContain('./notes.txt');
    expect(names).not.toContain('./after-the-cut.txt');
    expect(await backup.details()).toEqual({
      // notes.txt, data.bin, uploads/keep.txt, uploads/tmp/part (only *.log excluded here)
      files: 4,
      bytes: 6 + 70000 + 4 + 16,
    });
    await backup.close();
    expect(fs.readdirSync(stagingDir)).toEqual([]);
  });

  it('keeps default excludes out only while defaultExcludes is on', async () => {
    const { service } = setup({ defaultExcludes: false });
    const { manifest } = await service.backup('files');
    expect(manifest.details).toMatchObject({ files: 5 });
  });

  it('refuses to back up a symlink that points outside the folder, since a restore would refuse it', async () => {
    const { root, service } = setup();
    fs.symlinkSync('/etc/hostname', path.join(root, 'escape'));
    await expect(service.backup('files')).rejects.toThrow(
      /symlink "escape" points to the absolute path "\/etc\/hostname", outside the target.*exclude them \(targets\.files\.exclude\)/,
    );
    expect(await service.list('files')).toEqual([]);
  });

  describe('refuses a malicious archive before writing anything outside the target', () => {
    async function restoreCrafted(
      service: SnapshotService,
      tarFile: string,
    ): Promise<Error> {
      await craftSnapshot({
        service,
        target: 'files',
        engine: 'directory',
        id: '20260101T000000Z',
        artifacts: [
          { name: 'files.tar', stream: fs.createReadStream(tarFile) },
        ],
      });
      return service.restore('files', '20260101T000000Z', { force: true }).then(
        () => {
          throw new Error('the malicious archive was restored');
        },
        e => e as Error,
      );
    }

    function expectUntouched(
      dir: string,
      root: string,
      before: Record<string, string>,
    ) {
      expect(describeTree(root)).toEqual(before);
      expect(fs.readdirSync(dir).sort()).toEqual([
        'craft',
        'files',
        'snapshots',
      ]);
    }

    it('with an absolute path', async () => {
      const { dir, root, service } = setup();
      const before = describeTree(root);
      const victim = path.join(dir, 'craft/victim.txt');
      write(victim, 'original');
      execFileSync('tar', ['-cPf', path.join(dir, 'craft/evil.tar'), victim]);
      fs.rmSync(victim);
      const error = await restoreCrafted(
        service,
        path.join(dir, 'craft/evil.tar'),
      );
      expect(error.message).toContain(
        `the archive is unsafe and was not restored: entry "${victim}" has an absolute path`,
      );
      expect(fs.existsSync(victim)).toBe(false);
      expect(fs.readdirSync(path.join(dir, 'craft'))).toEqual(['evil.tar']);
      expectUntouched(dir, root, before);
    });

    it('with ".." entries', async () => {
      const { dir, root, service } = setup();
      const before = describeTree(root);
      write(
        path.join(dir, 'craft/outside.txt'),
        'should never land next to the target',
      );
      fs.mkdirSync(path.join(dir, 'craft/inner'));
      execFileSync('tar', ['-cPf', '../evil.tar', '../outside.txt'], {
        cwd: path.join(dir, 'craft/inner'),
      });
      fs.rmSync(path.join(dir, 'craft/outside.txt'));
      fs.rmdirSync(path.join(dir, 'craft/inner'));
      const error = await restoreCrafted(
        service,
        path.join(dir, 'craft/evil.tar'),
      );
      expect(error.message).toContain(
        'entry "../outside.txt" climbs out of the target with ".."',
      );
      expect(fs.existsSync(path.join(dir, 'outside.txt'))).toBe(false);
      expectUntouched(dir, root, before);
    });

    it('with symlinks that escape', async () => {
      const { dir, root, service } = setup();
      const before = describeTree(root);
      const craft = path.join(dir, 'craft/src');
      fs.mkdirSync(craft, { recursive: true });
      fs.symlinkSync('/etc', path.join(craft, 'abs'));
      fs.mkdirSync(path.join(craft, 'sub'));
      fs.symlinkSync('../../../secret', path.join(craft, 'sub/rel'));
      execFileSync('tar', ['-cf', '../evil.tar', 'abs', 'sub'], { cwd: craft });
      fs.rmSync(craft, { recursive: true });
      const error = await restoreCrafted(
        service,
        path.join(dir, 'craft/evil.tar'),
      );
      expect(error.message).toContain(
        'symlink "abs" points to the absolute path "/etc", outside the target',
      );
      expect(error.message).toContain(
        'symlink "sub/rel" points to "../../../secret", outside the target',
      );
      expectUntouched(dir, root, before);
    });

    it('with a chain of symlinks that each look harmless', async () => {
      const { dir, root, service } = setup();
      const before = describeTree(root);
      const craft = path.join(dir, 'craft/src');
      fs.mkdirSync(path.join(craft, 'sub'), { recursive: true });
      fs.symlinkSync('..', path.join(craft, 'sub/up')); // sub/up -> the target root: fine
      fs.symlinkSync('up/..', path.join(craft, 'sub/x')); // "sub" on paper, the target's parent in fact
      execFileSync('tar', ['-cf', '../evil.tar', 'sub'], { cwd: craft });
      fs.rmSync(craft, { recursive: true });
      const error = await restoreCrafted(
        service,
        path.join(dir, 'craft/evil.tar'),
      );
      expect(error.message).toMatch(
        /symlink "sub\/x" resolves to ".*", outside the target/,
      );
      expectUntouched(dir, root, before);
    });
  });

  it('judges hard links and devices too', () => {
    expect(
      unsafeEntryReason({
        path: 'x',
        type: 'Link',
        linkpath: '../../etc/passwd',
      }),
    ).toBe('hard link "x" points to "../../etc/passwd", outside the target');
    expect(
      unsafeEntryReason({ path: 'x', type: 'Link', linkpath: 'a/b' }),
    ).toBeUndefined();
    expect(unsafeEntryReason({ path: 'dev', type: 'CharacterDevice' })).toMatch(
      /device or FIFO/,
    );
    expect(unsafeEntryReason({ path: 'a/b/../../c', type: 'File' })).toMatch(
      /climbs out/,
    );
    expect(
      unsafeEntryReason({
        path: 'a/link',
        type: 'SymbolicLink',
        linkpath: '../b',
      }),
    ).toBeUndefined();
  });
});
