import type { TargetConfig } from '../config/loadConfig';
import type { EngineDriver } from '../engines/EngineDriver';
import type { SnapshotContext } from '../snapshots/SnapshotContext';
import { useTempDir } from '../testing/tempDir';
import { GroupPreflightError, preflightGroup } from './preflightGroup';

/** A store that stages a raw copy in a cut, far larger than any disk here. */
const HUGE = 2 ** 60;
const stagingDriver = {
  engine: 'staged-store',
  serverVersion: async () => null,
  preflight: async () => ({ problems: [], stagedCopyBytes: HUGE }),
  stage: async () => {
    throw new Error('not called by a preflight');
  },
} as unknown as EngineDriver<unknown>;

describe('group preflight: room in staging for the raw copies a cut stages', () => {
  const tempDir = useTempDir();
  const target = { name: 'files', engine: 'staged-store' } as TargetConfig;
  const context = () =>
    ({
      driverFor: () => stagingDriver,
      engineContext: () => ({ targetName: 'files', stagingDir: tempDir() }),
    } as unknown as SnapshotContext);

  it('refuses a cut whose staged copies do not fit, naming the member and the fix', async () => {
    const refused = preflightGroup(context(), {
      name: 'stack',
      targets: [target],
      mode: 'cut',
    });
    await expect(refused).rejects.toThrow(GroupPreflightError);
    await expect(refused).rejects.toThrow(
      /target files: the staging folder .* has .* free and the group's members stage about .*; free space there or set agent.staging to a larger disk/,
    );
  });

  it('does not count the copy in stop-all mode, which dumps it directly', async () => {
    const [member] = await preflightGroup(context(), {
      name: 'stack',
      targets: [target],
      mode: 'stop-all',
    });
    expect(member.problems).toEqual([]);
    expect(member.stagingBytes).toBe(0);
  });
});
