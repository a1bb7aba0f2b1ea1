/* eslint-disable @backstage/no-undeclared-imports */
// Test-only helper (never imported by the plugin itself), so its imports are devDependencies.
import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { POSTGRES_TEST_ENV } from './services';

/**
 * SQLite always; PostgreSQL 15 when BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING
 * points at a server (never Docker: there is no registry here). Missing PostgreSQL prints
 * why it was skipped, and fails under SAFEKEEP_REQUIRE_SERVICES=1.
 */
export function createTestDatabases(): {
  databases: TestDatabases;
  ids: TestDatabaseId[];
} {
  const ids: TestDatabaseId[] = ['SQLITE_3'];
  if (process.env[POSTGRES_TEST_ENV]) {
    ids.push('POSTGRES_15');
  } else if (process.env.SAFEKEEP_REQUIRE_SERVICES === '1') {
    throw new Error(
      `not run: ${POSTGRES_TEST_ENV} is not set (SAFEKEEP_REQUIRE_SERVICES=1 requires it)`,
    );
  } else {
    // eslint-disable-next-line no-console
    console.log(
      `PostgreSQL database tests: not run: ${POSTGRES_TEST_ENV} is not set`,
    );
  }
  return { databases: TestDatabases.create({ ids, disableDocker: true }), ids };
}
