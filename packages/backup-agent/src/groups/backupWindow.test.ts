import type { AgentSnapshot } from '@safekeep/plugin-backups-common';
import { backupWindowAt, newestCommonWindow } from './backupWindow';

const snapshot = (createdAt: string) =>
  ({ id: createdAt, createdAt } as AgentSnapshot);

describe('backup windows for a group restore', () => {
  it('names the second a group backup started in', () => {
    expect(backupWindowAt(new Date('2026-01-18T04:00:00.734Z'))).toEqual({
      from: '2026-01-18T04:00:00.000Z',
      to: '2026-01-18T04:00:00.999Z',
    });
  });

  it('takes the newest run every member has: after a run in which a member failed, the one before it', () => {
    const window = newestCommonWindow('shop', [
      {
        target: 'app',
        snapshots: [
          snapshot('2026-01-19T04:00:00.120Z'),
          snapshot('2026-01-18T04:00:00.250Z'),
        ],
      },
      { target: 'files', snapshots: [snapshot('2026-01-18T04:00:00.250Z')] },
    ]);
    expect(window).toEqual({
      from: '2026-01-18T04:00:00.000Z',
      to: '2026-01-18T04:00:00.999Z',
    });
  });

  it('refuses when a member has no snapshot at all, naming it', () => {
    expect(() =>
      newestCommonWindow('shop', [
        { target: 'app', snapshots: [snapshot('2026-01-19T04:00:00.120Z')] },
        { target: 'files', snapshots: [] },
      ]),
    ).toThrow(
      'all service backups are required: target files of group "shop" has no complete snapshot',
    );
  });
});
