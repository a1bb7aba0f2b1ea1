/* eslint-disable jest/no-export, jest/valid-title, jest/valid-describe-callback, jest/no-disabled-tests, jest/expect-expect */
// A test helper by design: it declares suites for the test files that call it.
/**
 * Gate for tests that need a real service named by an environment variable.
 * Unset variable: the suite is skipped and one line says why, unless SAFEKEEP_REQUIRE_SERVICES=1
 * (CI), where the suite runs a test that fails with the reason.
 */
export function describeWithService(
  envVar: string,
  name: string,
  body: (url: string) => void,
): void {
  const url = process.env[envVar];
  if (url) {
    describe(name, () => body(url));
    return;
  }
  const reason = `not run: ${envVar} is not set`;
  if (process.env.SAFEKEEP_REQUIRE_SERVICES === '1') {
    describe(name, () => {
      it('has its service', () => {
        throw new Error(`${reason} (SAFEKEEP_REQUIRE_SERVICES=1 requires it)`);
      });
    });
    return;
  }
  // eslint-disable-next-line no-console
  console.log(`${name}: ${reason}`);
  describe.skip(name, () => body(''));
}

export const POSTGRES_TEST_ENV =
  'BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING';
