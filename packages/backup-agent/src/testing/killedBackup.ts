/**
 * Run by a test in a child process (node -r sucrase/register/ts): backs up the gated-file
 * target of the folder given, and prints "halfway" once its packs and chunk index are stored
 * but before its manifest is written, where it waits for the test to kill it.
 */
import path from 'node:path';
import { registerEngineDriver } from '../engines/registry';
import { SnapshotService } from '../snapshots/SnapshotService';
import { gatedFileDriver, holdAt } from './gatedFileDriver';
import { testConfig } from './testConfig';

async function main(dir: string) {
  registerEngineDriver(gatedFileDriver);
  const gate = holdAt('killed');
  const service = new SnapshotService(
    testConfig(dir, {
      blob: {
        engine: 'gated-file',
        file: path.join(dir, 'data.bin'),
        gate: 'killed',
        pauseIn: 'details',
      },
    }),
  );
  const backup = service.backup('blob');
  await gate.reached;
  process.stdout.write('halfway\n');
  await backup;
}

main(process.argv[2]).catch(error => {
  process.stderr.write(`${error}\n`);
  process.exit(1);
});
