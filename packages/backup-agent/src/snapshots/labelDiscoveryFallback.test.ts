import { useTempDir } from '../testing/tempDir';
import { testConfig } from '../testing/testConfig';
import { SnapshotService } from './SnapshotService';

describe('label discovery when Docker does not answer', () => {
  const tempDir = useTempDir();

  it('keeps the config targets working and says why labelled ones are missing', async () => {
    const dir = tempDir();
    const logs: string[] = [];
    const socket = `${dir}/no-docker.sock`;
    const service = new SnapshotService(
      testConfig(
        dir,
        { files: { engine: 'directory', path: './files' } },
        undefined,
        { docker: { socketPath: socket } },
      ),
      { log: message => logs.push(message) },
    );
    expect((await service.listTargets()).map(t => t.name)).toEqual(['files']);
    expect(logs).toEqual([
      expect.stringMatching(
        new RegExp(
          `^label discovery: cannot list containers on unix://${socket}: .*ENOENT`,
        ),
      ),
    ]);
    await expect(service.resolveTarget('db')).rejects.toThrow(
      new RegExp(
        `^unknown target "db"; this agent has files \\(label discovery failed: cannot list containers on unix://${socket}: `,
      ),
    );
  });
});
