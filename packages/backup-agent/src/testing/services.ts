/* eslint-disable jest/no-export, jest/valid-title, jest/expect-expect, jest/no-disabled-tests --
   a helper that builds describe blocks for test files; skipping is its purpose */
/**
 * Gate for tests that need a real service named by an environment variable.
 * Unset variable: the suite is skipped and one line says why, unless SAFEKEEP_REQUIRE_SERVICES=1
 * (CI), where the suite runs a test that fails with the reason.
 *
 * The suite body only runs when the service is there: jest executes the body of a skipped
 * describe too (to collect its tests), and a body that parses the missing URL would throw.
 */
export function describeWithService(
  envVar: string,
  name: string,
  body: (url: string) => void,
): void {
  const url = process.env[envVar];
  if (url) {
    describe(name, () => {
      body(url);
    });
    return;
  }
  describeUnavailable(name, `not run: ${envVar} is not set`);
}

/**
 * A suite that cannot run: skipped with its reason printed, or failing with that reason when
 * SAFEKEEP_REQUIRE_SERVICES=1.
 */
export function describeUnavailable(name: string, reason: string): void {
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
  describe.skip(name, () => {
    it(reason, () => undefined);
  });
}
