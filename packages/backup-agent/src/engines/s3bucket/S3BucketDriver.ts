import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createS3Client } from '../../storage/createS3Client';
import type {
  EngineBackup,
  EngineDriver,
  ManualArtifact,
  RestoreArtifact,
} from '../EngineDriver';
import { bucketBlobTar, MirrorTotals } from './backupBucket';
import { IncrementalEngineContext, loadPreviousIndex } from './incremental';
import { BLOBS_ARTIFACT, INDEX_ARTIFACT, readObjectIndex } from './objectIndex';
import { BucketRestore, groupBySnapshot } from './restoreBucket';
import {
  bucketExists,
  bucketUrl,
  countObjects,
  explainS3Error,
  listObjects,
} from './s3Access';
import {
  bucketNameSchema,
  normalizePrefix,
  S3BucketSettings,
  s3BucketSettingsSchema,
} from './s3BucketSettings';

function findArtifact(
  artifacts: RestoreArtifact[],
  name: string,
): RestoreArtifact {
  const found = artifacts.find(a => a.name === name);
  if (!found)
    throw new Error(
      `the snapshot has no ${name}; an S3 snapshot holds ${INDEX_ARTIFACT} and ${BLOBS_ARTIFACT}`,
    );
  return found;
}

/**
 * A bucket (or a folder of it) mirrored: `objects.tar` holds each distinct content once as
 * `blobs/<sha256>`, `objects.jsonl` lists every object with its headers, metadata and the
 * sha256 of its content. Unchanged objects are referenced in the previous snapshot instead of
 * copied (the core's `previousSnapshot`, see incremental.ts); the snapshot then depends on it.
 */
export const s3BucketDriver: EngineDriver<S3BucketSettings> = {
  engine: 's3',

  settingsSchema: s3BucketSettingsSchema,

  describe: settings => `S3 bucket ${bucketUrl(settings)}`,

  /** `--to other-bucket` or `--to other-bucket/some/folder`. */
  withDestination: (settings, destination) => {
    const [bucket, ...rest] = destination.replace(/^s3:\/\//, '').split('/');
    const parsed = bucketNameSchema('the destination bucket').safeParse(bucket);
    if (!parsed.success)
      throw new Error(
        `"${bucket}" is not an S3 bucket name: ${parsed.error.issues[0].message}`,
      );
    return {
      ...settings,
      bucket: parsed.data,
      prefix:
        rest.length > 0 ? normalizePrefix(rest.join('/')) : settings.prefix,
    };
  },

  serverVersion: async () => null,

  async backup(
    settings,
    context: IncrementalEngineContext,
  ): Promise<EngineBackup> {
    const client = createS3Client(settings);
    const dir = path.join(context.stagingDir, `s3-backup-${randomUUID()}`);
    const cleanup = async () => {
      client.destroy();
      await fsp.rm(dir, { recursive: true, force: true });
    };
    try {
      if (!(await bucketExists(client, settings))) {
        throw new Error(
          `bucket ${settings.bucket} does not exist${
            settings.endpoint ? ` at ${settings.endpoint}` : ''
          }; check targets.${context.targetName}.bucket`,
        );
      }
      await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
      const previous = await loadPreviousIndex(context, dir);
      const indexFile = path.join(dir, INDEX_ARTIFACT);
      const totals: MirrorTotals = {
        objects: 0,
        bytes: 0,
        copiedObjects: 0,
        copiedBytes: 0,
        dependsOn: new Set(),
      };
      return {
        async *artifacts() {
          yield {
            name: BLOBS_ARTIFACT,
            description: `contents of the objects in ${bucketUrl(
              settings,
            )}, once per distinct content, as blobs/<sha256>`,
            stream: Readable.from(
              bucketBlobTar({
                client,
                settings,
                stagingDir: dir,
                indexFile,
                previous,
                totals,
              }),
              { objectMode: false },
            ),
          };
          yield {
            name: INDEX_ARTIFACT,
            description: `index of the objects in ${bucketUrl(
              settings,
            )}: key, size, etag, sha256, headers and metadata`,
            stream: fs.createReadStream(indexFile),
          };
          const referenced = previous
            ? `, the rest referenced from snapshot(s) ${
                [...totals.dependsOn].join(', ') || previous.id
              }`
            : '';
          context.log(
            `${totals.objects} objects (${totals.bytes} bytes); ${totals.copiedObjects} contents copied (${totals.copiedBytes} bytes)${referenced}`,
          );
        },
        details: async () => ({
          objects: totals.objects,
          bytes: totals.bytes,
          copied_objects: totals.copiedObjects,
          copied_bytes: totals.copiedBytes,
          depends_on: [...totals.dependsOn].sort(),
        }),
        dependsOn: () => [...totals.dependsOn].sort(),
        close: cleanup,
      };
    } catch (error) {
      await cleanup();
      throw error;
    }
  },

  async inspectDestination(settings) {
    const client = createS3Client(settings);
    try {
      if (!(await bucketExists(client, settings)))
        return {
          empty: true,
          summary: `bucket ${settings.bucket} does not exist`,
        };
      for await (const object of listObjects(
        client,
        settings.bucket,
        settings.prefix,
      )) {
        return {
          empty: false,
          summary: `${bucketUrl(settings)} holds objects, e.g. ${object.Key}`,
        };
      }
      return {
        empty: true,
        summary: `${bucketUrl(settings)} holds no objects`,
      };
    } catch (error) {
      throw explainS3Error(error, settings, 'listing');
    } finally {
      client.destroy();
    }
  },

  /**
   * The index is staged and checked first, and every blob kept in another snapshot must be
   * reachable, before the bucket is touched. Contents then stream from objects.tar to S3.
   */
  async restore(
    settings,
    artifacts: RestoreArtifact[],
    context: IncrementalEngineContext,
  ) {
    const dir = path.join(context.stagingDir, `s3-restore-${randomUUID()}`);
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
    const client = createS3Client(settings);
    try {
      const indexFile = path.join(dir, INDEX_ARTIFACT);
      await pipeline(
        await findArtifact(artifacts, INDEX_ARTIFACT).open(),
        fs.createWriteStream(indexFile, { flags: 'wx', mode: 0o600 }),
      );
      const index = await readObjectIndex(indexFile);
      const tar = findArtifact(artifacts, BLOBS_ARTIFACT);
      const groups = groupBySnapshot(index);
      const elsewhere = [...groups.keys()].filter(id => id !== '');
      if (elsewhere.length > 0 && !context.openSnapshotArtifact) {
        throw new Error(
          `this snapshot references contents kept in snapshot(s) ${elsewhere.join(
            ', ',
          )}, and this agent cannot open other snapshots during a restore`,
        );
      }

      const restore = new BucketRestore(client, settings, context.log);
      await restore.prepare();
      try {
        await restore.fromTar(
          await tar.open(),
          groups.get('') ?? new Map(),
          BLOBS_ARTIFACT,
        );
        for (const id of elsewhere) {
          await restore.fromTar(
            await context.openSnapshotArtifact!(id, BLOBS_ARTIFACT),
            groups.get(id)!,
            `${BLOBS_ARTIFACT} of snapshot ${id}`,
          );
        }
        const removed = await restore.removeOthers(index);
        if (removed > 0)
          context.log(
            `removed ${removed} object(s) below ${bucketUrl(
              settings,
            )} that are not in the snapshot`,
          );
      } catch (error) {
        await restore
          .rollback()
          .catch(e =>
            context.log(
              `could not remove the objects added by the failed restore: ${e}`,
            ),
          );
        throw error;
      }
    } finally {
      client.destroy();
      await fsp.rm(dir, { recursive: true, force: true });
    }
  },

  async check(settings) {
    const client = createS3Client(settings);
    try {
      return await countObjects(client, settings.bucket, settings.prefix);
    } catch (error) {
      throw explainS3Error(error, settings, 'listing');
    } finally {
      client.destroy();
    }
  },

  compareDetails(recorded, observed) {
    const differences: string[] = [];
    for (const key of ['objects', 'bytes'] as const) {
      if (recorded[key] !== observed[key])
        differences.push(
          `${key}: ${recorded[key]} at backup, ${observed[key]} after restore`,
        );
    }
    return differences;
  },

  manualRestoreSteps(settings, artifacts: ManualArtifact[]) {
    const tar = artifacts.find(a => a.rawName === BLOBS_ARTIFACT);
    const index = artifacts.find(a => a.rawName === INDEX_ARTIFACT);
    const endpoint = settings.endpoint
      ? ` --endpoint-url ${settings.endpoint}`
      : '';
    return [
      `\`${INDEX_ARTIFACT}\` lists every object (\`key\` below the prefix \`${
        settings.prefix || '(none)'
      }\`, \`sha256\` of its content,`,
      '`content_type`, `metadata`); `objects.tar` holds each content once as `blobs/<sha256>`. An object with',
      "`blob_snapshot` has its content in that earlier snapshot's `objects.tar`: unpack that one into the same folder too.",
      '',
      '```sh',
      'mkdir -p restored',
      `${tar?.catCommand ?? `cat ${BLOBS_ARTIFACT}`} | tar -x -C restored`,
      `${index?.catCommand ?? `cat ${INDEX_ARTIFACT}`} > ${INDEX_ARTIFACT}`,
      `grep '"type":"object"' ${INDEX_ARTIFACT} | jq -r '[.key, .sha256, (.content_type // "application/octet-stream")] | @tsv' |`,
      `  while IFS=$'\\t' read -r key sha type; do`,
      `    aws s3 cp${endpoint} "restored/blobs/$sha" "s3://${settings.bucket}/${settings.prefix}$key" --content-type "$type"`,
      '  done',
      '```',
      '',
      'User metadata (`metadata`) is not set by this loop; add `--metadata` per object if the application needs it.',
      `Then compare \`aws s3 ls --recursive s3://${settings.bucket}/${settings.prefix} --summarize\` with \`details\` (objects, bytes) in MANIFEST.json.`,
    ].join('\n');
  },
};
