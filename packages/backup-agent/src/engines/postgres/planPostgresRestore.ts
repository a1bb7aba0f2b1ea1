import type { RestoreArtifact } from '../EngineDriver';
import { databaseFromArtifactName } from '../databaseArtifactName';
import {
  DUMP_EXTENSION,
  EXTRA_SQL_EXTENSION,
  GLOBALS_ARTIFACT,
} from './postgresArtifacts';
import type { ExtraSql, PostgresSettings } from './postgresSettings';

export interface DumpToRestore {
  artifact: RestoreArtifact;
  /** The database the dump was taken from. */
  source: string;
  /** The database it is restored into. */
  into: string;
  extras: Array<{ artifact: RestoreArtifact; extra: ExtraSql }>;
}

export interface PostgresRestorePlan {
  globals?: RestoreArtifact;
  dumps: DumpToRestore[];
}

/**
 * What goes where, decided before anything is touched: every artifact must be understood,
 * every extract must have its replay statement in the settings, and `restore --to` needs a
 * snapshot of exactly one database.
 */
export function planPostgresRestore(
  settings: PostgresSettings,
  artifacts: RestoreArtifact[],
): PostgresRestorePlan {
  const plan: PostgresRestorePlan = { dumps: [] };
  const extras: RestoreArtifact[] = [];
  for (const artifact of artifacts) {
    if (artifact.name === GLOBALS_ARTIFACT) {
      plan.globals = artifact;
      continue;
    }
    const source = databaseFromArtifactName(artifact.name, DUMP_EXTENSION);
    if (source !== undefined) {
      plan.dumps.push({
        artifact,
        source,
        into: settings.restoreInto ?? source,
        extras: [],
      });
    } else if (artifact.name.endsWith(`.${EXTRA_SQL_EXTENSION}`)) {
      extras.push(artifact);
    } else {
      throw new Error(
        `the snapshot holds "${artifact.name}", which is not a PostgreSQL artifact this agent knows; nothing was restored`,
      );
    }
  }
  if (plan.dumps.length === 0)
    throw new Error(
      'the snapshot holds no database dump (<database>.dump); nothing was restored',
    );
  if (settings.restoreInto !== undefined && plan.dumps.length > 1) {
    throw new Error(
      `the snapshot holds ${plan.dumps.length} databases (${plan.dumps
        .map(d => d.source)
        .join(', ')}) and a destination can name one database only; ` +
        'restore to the same names (no destination), or back up each database as its own target',
    );
  }
  for (const artifact of extras) {
    const name = artifact.name.slice(0, -(EXTRA_SQL_EXTENSION.length + 1));
    const extra = settings.extraSql.find(e => e.name === name);
    if (!extra) {
      throw new Error(
        `the snapshot holds extra rows "${artifact.name}" but the target has no extraSql entry named "${name}" to replay them; ` +
          'add it back to the target settings (with its replay statement); nothing was restored',
      );
    }
    const dump = plan.dumps.find(d => d.source === extra.database);
    if (!dump) {
      throw new Error(
        `extraSql "${name}" belongs to database "${extra.database}", which this snapshot does not hold; nothing was restored`,
      );
    }
    dump.extras.push({ artifact, extra });
  }
  return plan;
}
