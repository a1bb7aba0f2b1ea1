// `npm test`: type-check, lint, then every package's tests in one Jest run.
// Ends with one line "tests: N passed, N failed, N skipped" (CI reads it).
// Tests that need an outside service are skipped with their reason unless the service's
// environment variable is set (docs/development.md); SAFEKEEP_REQUIRE_SERVICES=1 makes a
// missing service a failure instead (CI sets it).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = name => join(root, 'node_modules/.bin', name);
const args = process.argv.slice(2);
const skipStatic = args.includes('--tests-only');

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(
    `safekeep: Node ${process.version} is too old; run "source scripts/node22.sh" first (Node 22 or 24).`,
  );
  process.exit(1);
}

const steps = [];
function step(name, command, commandArgs, env = {}) {
  console.log(
    `\n=== ${name}: ${[relative(root, command), ...commandArgs].join(' ')}`,
  );
  const started = Date.now();
  const result = spawnSync(command, commandArgs, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, CI: 'true', ...env },
  });
  const ok = result.status === 0;
  steps.push({ name, ok, seconds: Math.round((Date.now() - started) / 1000) });
  return ok;
}

if (!skipStatic) {
  step('type-check', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']);
  step('lint', bin('backstage-cli'), ['repo', 'lint']);
  step('format', bin('prettier'), ['--check', '--loglevel', 'warn', '.']);
}

const resultFile = join(
  mkdtempSync(join(tmpdir(), 'safekeep-test-')),
  'jest.json',
);
step('tests', bin('backstage-cli'), [
  'repo',
  'test',
  '--watchAll=false',
  '--json',
  `--outputFile=${resultFile}`,
  ...args.filter(a => a !== '--tests-only'),
]);

let passed = 0;
let failed = 0;
let skipped = 0;
const skippedNames = [];
if (existsSync(resultFile)) {
  const report = JSON.parse(readFileSync(resultFile, 'utf8'));
  passed = report.numPassedTests;
  failed = report.numFailedTests + report.numRuntimeErrorTestSuites;
  skipped = report.numPendingTests;
  for (const suite of report.testResults) {
    for (const test of suite.assertionResults) {
      if (test.status === 'pending')
        skippedNames.push(`${relative(root, suite.name)}: ${test.fullName}`);
    }
  }
} else {
  failed += 1;
}

console.log('\n=== summary');
for (const s of steps)
  console.log(`${s.ok ? 'ok    ' : 'FAILED'} ${s.name} (${s.seconds}s)`);
if (skippedNames.length > 0) {
  console.log(
    `not run (${skippedNames.length}; their suites print why, usually a service variable that is not set):`,
  );
  for (const name of skippedNames) console.log(`  - ${name}`);
}
const staticFailures = steps.filter(s => s.name !== 'tests' && !s.ok).length;
const testsStepFailed = steps.find(s => s.name === 'tests')?.ok === false;
if (testsStepFailed && failed === 0) failed = 1; // Jest failed without a failing test: count it.
failed += staticFailures;
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
