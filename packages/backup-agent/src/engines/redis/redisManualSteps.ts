import type { ManualArtifact } from '../EngineDriver';
import { shellQuote } from '../shellQuote';
import type { RedisSettings } from './redisSettings';

export function redisManualSteps(
  settings: RedisSettings,
  artifacts: ManualArtifact[],
): string {
  const [artifact] = artifacts;
  const file =
    settings.restore.mode === 'replace-file'
      ? settings.restore.rdbPath ?? settings.rdbPath
      : settings.rdbPath;
  const target = file
    ? shellQuote(file)
    : '<dir>/<dbfilename> (redis-cli CONFIG GET dir; CONFIG GET dbfilename)';
  return [
    `1. Unpack and check the RDB: \`${artifact.catCommand} > dump.rdb && redis-check-rdb dump.rdb\` (it must end with "RDB looks OK").`,
    `2. Check the server does not use an append-only file (\`redis-cli CONFIG GET appendonly\` must say no): with AOF on, it loads the AOF on start, not the RDB.`,
    `3. Stop the server (e.g. \`redis-cli -h ${settings.host} -p ${settings.port} SHUTDOWN\`, \`systemctl stop redis-server\` or \`docker compose stop redis\`).`,
    `4. Keep the current file and put the snapshot in its place: \`mv ${target} ${target}.before-restore; cp dump.rdb ${target}\` (owned by the server's user).`,
    `5. Start the server and compare \`redis-cli INFO keyspace\` with \`details\` in MANIFEST.json (keys with a TTL may have expired since).`,
    '',
    'To load the keys into a running server instead: start `redis-server --port 6390 --dir . --dbfilename dump.rdb --save ""`',
    'next to the file and copy each key with DUMP / RESTORE ... REPLACE (this is what the agent does in mode replay).',
  ].join('\n');
}
