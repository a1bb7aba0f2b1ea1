import { Entity } from '@backstage/catalog-model';
import { parseBackupPolicy, hasBackupAnnotations } from './policy';

function entity(annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name: 'db', annotations },
    spec: {},
  };
}

describe('parseBackupPolicy', () => {
  it('reports an entity without Safekeep annotations as unconfigured', () => {
    expect(
      parseBackupPolicy(entity({ 'backstage.io/techdocs-ref': 'dir:.' })),
    ).toEqual({ status: 'unconfigured' });
    expect(hasBackupAnnotations(entity({}))).toBe(false);
  });

  it('reads a complete policy', () => {
    const result = parseBackupPolicy(
      entity({
        'safekeep.io/agent': 'host-a',
        'safekeep.io/target': 'app-db',
        'safekeep.io/engine': 'postgres',
        'safekeep.io/schedule': 'sundays 04:00 Europe/Oslo',
        'safekeep.io/retention': 'keep-last=4 min=3',
        'safekeep.io/retention-offsite': 'keep-last=8',
        'safekeep.io/rpo': '8d',
      }),
    );
    expect(result.status).toBe('configured');
    if (result.status !== 'configured') return;
    expect(result.policy).toMatchObject({
      agent: 'host-a',
      target: 'app-db',
      engine: 'postgres',
      schedule: { cron: '0 4 * * 0', timeZone: 'Europe/Oslo' },
      retention: { keepLast: 4, minimum: 3 },
      retentionOffsite: { keepLast: 8 },
      rpoMs: 8 * 86_400_000,
    });
  });

  it('takes an engine beyond the known ones: an agent may register it', () => {
    const result = parseBackupPolicy(
      entity({
        'safekeep.io/agent': 'host-a',
        'safekeep.io/target': 'ledger',
        'safekeep.io/engine': 'oracle',
      }),
    );
    expect(result).toMatchObject({
      status: 'configured',
      policy: { engine: 'oracle' },
    });
  });

  it('lists every problem with the annotation it concerns and a fix', () => {
    const result = parseBackupPolicy(
      entity({
        'safekeep.io/target': 'app db',
        'safekeep.io/engine': 'Oracle DB',
        'safekeep.io/schedule': 'daily 25:00',
        'safekeep.io/retention': 'keep-last=four',
        'safekeep.io/rpo': 'soon',
        'safekeep.io/scheduel': 'hourly',
      }),
    );
    expect(result.status).toBe('invalid');
    if (result.status !== 'invalid') return;
    const byAnnotation = Object.fromEntries(
      result.problems.map(p => [p.annotation, p.message]),
    );
    expect(byAnnotation['safekeep.io/agent']).toMatch(
      /missing: add safekeep.io\/agent/,
    );
    expect(byAnnotation['safekeep.io/target']).toMatch(
      /not a valid target name/,
    );
    expect(byAnnotation['safekeep.io/engine']).toMatch(/use one of postgres/);
    expect(byAnnotation['safekeep.io/schedule']).toMatch(/daily 01:00/);
    expect(byAnnotation['safekeep.io/retention']).toMatch(
      /must be a whole number/,
    );
    expect(byAnnotation['safekeep.io/rpo']).toMatch(/not a duration/);
    expect(byAnnotation['safekeep.io/scheduel']).toMatch(/unknown annotation/);
  });

  describe('restore drills', () => {
    const base = {
      'safekeep.io/agent': 'host-a',
      'safekeep.io/target': 'app-db',
    };

    it('reads a drill schedule and its scratch destination', () => {
      const result = parseBackupPolicy(
        entity({
          ...base,
          'safekeep.io/restore-drill': 'weekly sunday 05:00 UTC',
          'safekeep.io/restore-drill-target': 'app_drill',
        }),
      );
      expect(result).toEqual({
        status: 'configured',
        policy: {
          agent: 'host-a',
          target: 'app-db',
          restoreDrill: {
            schedule: {
              source: 'weekly sunday 05:00 UTC',
              cron: '0 5 * * 0',
              timeZone: 'UTC',
            },
            destination: 'app_drill',
          },
        },
      });
    });

    it('asks for the destination when only the schedule is given, and the other way round', () => {
      const noTarget = parseBackupPolicy(
        entity({
          ...base,
          'safekeep.io/restore-drill': 'weekly sunday 05:00 UTC',
        }),
      );
      expect(noTarget).toEqual({
        status: 'invalid',
        problems: [
          expect.objectContaining({
            annotation: 'safekeep.io/restore-drill-target',
            message: expect.stringMatching(
              /^missing: drills need a scratch destination/,
            ),
          }),
        ],
      });
      const noSchedule = parseBackupPolicy(
        entity({ ...base, 'safekeep.io/restore-drill-target': 'app_drill' }),
      );
      expect(noSchedule).toEqual({
        status: 'invalid',
        problems: [
          expect.objectContaining({
            annotation: 'safekeep.io/restore-drill',
            message: expect.stringContaining('weekly sunday 05:00 UTC'),
          }),
        ],
      });
    });

    it('explains a bad drill schedule and a destination with spaces', () => {
      const result = parseBackupPolicy(
        entity({
          ...base,
          'safekeep.io/restore-drill': 'weekly someday 05:00',
          'safekeep.io/restore-drill-target': 'my drill db',
        }),
      );
      expect(result.status).toBe('invalid');
      if (result.status !== 'invalid') return;
      const byAnnotation = Object.fromEntries(
        result.problems.map(p => [p.annotation, p.message]),
      );
      expect(byAnnotation['safekeep.io/restore-drill']).toMatch(
        /neither a cron expression nor a known shortcut/,
      );
      expect(byAnnotation['safekeep.io/restore-drill-target']).toMatch(
        /"my drill db" is not a scratch destination/,
      );
    });
  });
});
