/**
 * The names the agent itself gives to what it puts in its staging folder. Only these are ever
 * removed at start: agent.staging may be a shared folder such as /tmp.
 */
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** Credential files for tools (`.secret-<hex>-pgpass`, MariaDB and ClickHouse option files). */
const CREDENTIAL = /^\.secret-[0-9a-f]{16}-/;

const PARTIAL = [
  // A tool's output file (redis-cli --rdb).
  /^\.out-[0-9a-f]{16}-/,
  // An artifact read in full before a restore; a Redis RDB before it is put in place.
  /^restore-[0-9a-f]{12}[-.]/,
  // The SQLite backup API's copy, and its sidecar files.
  new RegExp(`-${UUID}\\.sqlite(-wal|-shm|-journal)?$`),
  // A Redis RDB copied out; a replay server's folder; S3 upload parts.
  /^redis-[0-9a-f]{12}\.rdb$/,
  /^redis-replay-[0-9a-f]{12}$/,
  /^s3-part-[0-9a-f]{12}/,
  // A consistency group cut's raw copy of a volume or folder (stagedCopy.ts).
  /^cut-[0-9a-f]{12}-/,
  // Folders of S3 bucket backups and restores, NATS restores.
  new RegExp(`^(s3-backup|s3-restore|nats-restore)-${UUID}$`),
];

export type StagingKind = 'credential' | 'partial';

/** What an entry of the staging folder is, or undefined when the agent did not make it. */
export function stagingKind(name: string): StagingKind | undefined {
  if (CREDENTIAL.test(name)) return 'credential';
  if (PARTIAL.some(p => p.test(name))) return 'partial';
  return undefined;
}
