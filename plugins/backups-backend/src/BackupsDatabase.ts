import type { DatabaseService } from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import { RunAggregates } from './aggregates/RunAggregates';
import { migrateBackupsDatabase } from './database/migrateBackupsDatabase';
import { GroupRunsStore } from './groups/GroupRunsStore';
import { DatabaseIncidentsStore } from './incidents/DatabaseIncidentsStore';
import { DatabaseRestoresStore } from './restores/DatabaseRestoresStore';
import { DatabasePrunesStore } from './retention/DatabasePrunesStore';
import { DatabaseBackupsStore } from './runs/DatabaseBackupsStore';
import { VerificationsStore } from './verify/VerificationsStore';

/**
 * The plugin's database: migrated once, here, then every store on the one client. Stores
 * never migrate, so none depends on another having been created first.
 */
export class BackupsDatabase {
  /** Migrates (unless the database service says to skip it) and hands out the stores. */
  static async create(options: {
    database: DatabaseService;
    /** Secrets to strip from every stored error and phase text (agent tokens). */
    secrets?: string[];
  }): Promise<BackupsDatabase> {
    const knex = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await migrateBackupsDatabase(knex);
    }
    return new BackupsDatabase(knex, options.secrets ?? []);
  }

  readonly runs: DatabaseBackupsStore;
  readonly restores: DatabaseRestoresStore;
  readonly prunes: DatabasePrunesStore;
  readonly incidents: DatabaseIncidentsStore;
  readonly groupRuns: GroupRunsStore;
  /** Scheduled verify rounds and results. */
  readonly verifications: VerificationsStore;
  /** The read queries behind summaries, lists and size series. */
  readonly aggregates: RunAggregates;

  private constructor(knex: Knex, secrets: string[]) {
    this.runs = new DatabaseBackupsStore(knex, secrets);
    this.restores = new DatabaseRestoresStore(knex, secrets);
    this.prunes = new DatabasePrunesStore(knex, secrets);
    this.incidents = new DatabaseIncidentsStore(knex);
    this.groupRuns = new GroupRunsStore(knex);
    this.verifications = new VerificationsStore(knex, secrets);
    this.aggregates = new RunAggregates(knex);
  }
}
