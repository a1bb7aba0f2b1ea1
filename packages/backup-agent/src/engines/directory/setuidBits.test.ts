import fs from 'node:fs';
import path from 'node:path';
import { SnapshotService } from '../../snapshots/SnapshotService';
import { useTempDir } from '../../testing/tempDir';
import { testConfig } from '../../testing/testConfig';

const modeOf = (file: string) => (fs.statSync(file).mode & 0o7777).toString(8);

/**
 * Plays whoever can put a file into a backed-up folder (or write the tier without a manifest key):
 * a setuid-root program restored by an agent running as root would be a way to root.
 */
describe('setuid and setgid bits on directory restores', () => {
  const tempDir = useTempDir();

  function setup(targetExtra: Record<string, unknown> = {}) {
    const dir = tempDir();
    const live = path.join(dir, 'live');
    fs.mkdirSync(path.join(live, 'shared'), { recursive: true });
    fs.writeFileSync(path.join(live, 'run-as-root'), '#!/bin/sh\nid\n');
    fs.chmodSync(path.join(live, 'run-as-root'), 0o4755);
    fs.writeFileSync(path.join(live, 'run-as-group'), '#!/bin/sh\nid\n');
    fs.chmodSync(path.join(live, 'run-as-group'), 0o2755);
    fs.chmodSync(path.join(live, 'shared'), 0o2775);
    fs.writeFileSync(path.join(live, 'plain.txt'), 'x');
    fs.chmodSync(path.join(live, 'plain.txt'), 0o640);
    const service = new SnapshotService(
      testConfig(dir, {
        files: {
          engine: 'directory',
          path: './live',
          ...targetExtra,
        },
      }),
    );
    return { dir, live, service };
  }

  it('never restores setuid/setgid bits by default (other mode bits stay)', async () => {
    const { dir, service } = setup();
    const { snapshots } = await service.backup('files');
    await service.restore('files', snapshots[0].id, {
      destination: path.join(dir, 'copy'),
    });
    const copy = path.join(dir, 'copy');
    expect({
      root: modeOf(path.join(copy, 'run-as-root')),
      group: modeOf(path.join(copy, 'run-as-group')),
      plain: modeOf(path.join(copy, 'plain.txt')),
    }).toEqual({ root: '755', group: '755', plain: '640' });
    expect(fs.statSync(path.join(copy, 'shared')).mode & 0o6000).toBe(0);
  });

  it('restores them when the target says restoreSetuidBits: true', async () => {
    const { dir, service } = setup({ restoreSetuidBits: true });
    const { snapshots } = await service.backup('files');
    await service.restore('files', snapshots[0].id, {
      destination: path.join(dir, 'copy'),
    });
    const copy = path.join(dir, 'copy');
    expect(modeOf(path.join(copy, 'run-as-root'))).toBe('4755');
    expect(modeOf(path.join(copy, 'run-as-group'))).toBe('2755');
  });
});
