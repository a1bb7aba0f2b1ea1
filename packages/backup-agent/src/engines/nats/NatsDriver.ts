import { randomUUID } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { NatsConnection } from 'nats';
import type {
  EngineBackup,
  EngineDriver,
  ManualArtifact,
  RestoreArtifact,
} from '../EngineDriver';
import { connectNats, withNats } from './connectNats';
import { deleteRestoredStreams } from './deleteRestoredStreams';
import { dumpStream } from './dumpStream';
import { loadStream } from './loadStream';
import { NatsSettings, natsSettingsSchema } from './natsSettings';
import {
  compareStreamFacts,
  isStreamNotFound,
  listStreamNames,
  observeStream,
  StreamFacts,
} from './streamFacts';
import { stageStreamFile, StagedStream } from './streamFile';
import { anyOverlap } from './subjectOverlap';

/** Stream names as artifact names: letters, digits, ".", "_", "-", starting with a letter or digit. */
function artifactNames(streams: string[]): Map<string, string> {
  const taken = new Set<string>();
  const names = new Map<string, string>();
  for (const stream of streams) {
    let base = stream.replace(/[^A-Za-z0-9._-]/g, '_');
    if (!/^[A-Za-z0-9]/.test(base)) base = `stream-${base}`;
    let name = `${base}.jsonl`;
    for (let n = 2; taken.has(name.toLowerCase()); n++)
      name = `${base}-${n}.jsonl`;
    taken.add(name.toLowerCase());
    names.set(stream, name);
  }
  return names;
}

async function selectStreams(
  nc: NatsConnection,
  settings: NatsSettings,
  targetName: string,
): Promise<string[]> {
  const jsm = await nc.jetstreamManager();
  const existing = await listStreamNames(jsm);
  if (!settings.streams) {
    if (existing.length === 0) {
      throw new Error(
        `NATS at ${settings.servers.join(
          ', ',
        )} has no JetStream streams; there is nothing to back up`,
      );
    }
    return existing;
  }
  const missing = settings.streams.filter(name => !existing.includes(name));
  if (missing.length > 0) {
    throw new Error(
      `stream(s) ${missing.join(', ')} do not exist on ${settings.servers.join(
        ', ',
      )} (it has ${
        existing.join(', ') || 'no streams'
      }); fix targets.${targetName}.streams`,
    );
  }
  return settings.streams;
}

/** Refuses, before anything changes, streams whose subjects another stream on the server holds. */
async function assertNoSubjectConflicts(
  nc: NatsConnection,
  staged: StagedStream[],
): Promise<void> {
  const jsm = await nc.jetstreamManager();
  const replaced = new Set(staged.map(s => s.stream.name));
  const others: Array<{ name: string; subjects: string[] }> = [];
  for await (const info of jsm.streams.list()) {
    if (!replaced.has(info.config.name))
      others.push({
        name: info.config.name,
        subjects: info.config.subjects ?? [],
      });
  }
  for (const s of staged) {
    for (const other of others) {
      const overlap = anyOverlap(
        s.stream.config.subjects ?? [],
        other.subjects,
      );
      if (overlap) {
        throw new Error(
          `stream ${s.stream.name} cannot be restored: its subjects overlap those of stream ${other.name} on the server (${overlap}), and JetStream stores a subject in one stream only; remove or change stream ${other.name}, or restore to another server`,
        );
      }
    }
  }
}

/**
 * NATS JetStream through nats.js: per stream, its configuration, its durable consumers and
 * every message (ordered consumer, batched) as JSON lines. A restore recreates each stream
 * with its configuration and sequence numbers and republishes the messages in order.
 */
export const natsDriver: EngineDriver<NatsSettings> = {
  engine: 'nats',

  settingsSchema: natsSettingsSchema,

  describe: settings =>
    `NATS JetStream at ${settings.servers.join(', ')} (${
      settings.streams
        ? `streams ${settings.streams.join(', ')}`
        : 'all streams'
    })`,

  withDestination: (settings, destination) => {
    const servers = destination
      .split(',')
      .map(s => s.trim())
      .filter(Boolean);
    const parsed = natsSettingsSchema({
      baseDir: '/',
      resolvePath: p => p,
    }).shape.servers.safeParse(servers);
    if (!parsed.success)
      throw new Error(
        `"${destination}" is not a NATS server URL such as nats://127.0.0.1:4222`,
      );
    return { ...settings, servers: parsed.data };
  },

  serverVersion: settings =>
    withNats(settings, async nc => nc.info?.version ?? null),

  async backup(settings, context): Promise<EngineBackup> {
    const nc = await connectNats(settings);
    try {
      const streams = await selectStreams(nc, settings, context.targetName);
      const jsm = await nc.jetstreamManager();
      const js = nc.jetstream();
      const names = artifactNames(streams);
      const facts: Record<string, StreamFacts> = {};
      return {
        async *artifacts() {
          for (const stream of streams) {
            yield {
              name: names.get(stream)!,
              description: `NATS JetStream stream ${stream}: configuration, durable consumers and messages as JSON lines`,
              stream: Readable.from(
                dumpStream(
                  js,
                  jsm,
                  stream,
                  result => {
                    facts[stream] = result;
                  },
                  context.log,
                ),
                { objectMode: false },
              ),
            };
          }
        },
        details: async () => ({ streams: facts }),
        close: () => nc.close(),
      };
    } catch (error) {
      await nc.close();
      throw error;
    }
  },

  async inspectDestination(settings) {
    return withNats(settings, async nc => {
      const jsm = await nc.jetstreamManager();
      const names = settings.streams ?? (await listStreamNames(jsm));
      const occupied: string[] = [];
      for (const name of names) {
        try {
          const info = await jsm.streams.info(name);
          if (info.state.messages > 0)
            occupied.push(`${name} (${info.state.messages} messages)`);
        } catch (error) {
          if (!isStreamNotFound(error)) throw error;
        }
      }
      const where = `NATS at ${settings.servers.join(', ')}`;
      return occupied.length === 0
        ? {
            empty: true,
            summary: `${where}: ${
              settings.streams
                ? 'the streams are absent or empty'
                : 'no stream holds messages'
            }`,
          }
        : {
            empty: false,
            summary: `${where} has stream(s) with messages: ${occupied
              .slice(0, 5)
              .join(', ')}${occupied.length > 5 ? ', ...' : ''}`,
          };
    });
  },

  /**
   * Every artifact is staged and checked first, so a broken snapshot changes nothing. Streams
   * named in the snapshot are then replaced one by one (the core calls this only for an empty
   * destination or with force); a stream that fails is removed, earlier ones stay restored.
   */
  async restore(settings, artifacts: RestoreArtifact[], context) {
    if (artifacts.length === 0) throw new Error('the snapshot holds no stream');
    const dir = path.join(context.stagingDir, `nats-restore-${randomUUID()}`);
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
    try {
      const staged: StagedStream[] = [];
      for (const [index, artifact] of artifacts.entries())
        staged.push(await stageStreamFile(artifact, dir, index));
      if (settings.streams) {
        const unknown = staged
          .map(s => s.stream.name)
          .filter(name => !settings.streams!.includes(name));
        if (unknown.length > 0)
          context.log(
            `restoring stream(s) ${unknown.join(
              ', ',
            )} from the snapshot, not listed in this target's streams`,
          );
      }
      const nc = await connectNats(settings);
      try {
        await assertNoSubjectConflicts(nc, staged);
        const jsm = await nc.jetstreamManager();
        const js = nc.jetstream();
        for (const stream of staged) {
          await loadStream(js, jsm, stream, context.log);
          context.log(
            `stream ${stream.stream.name}: ${stream.end.messages} messages, ${stream.consumers.length} consumers restored`,
          );
        }
      } finally {
        await nc.close();
      }
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  },

  async check(settings) {
    return withNats(settings, async nc => {
      const jsm = await nc.jetstreamManager();
      const names = settings.streams ?? (await listStreamNames(jsm));
      const streams: Record<string, StreamFacts> = {};
      for (const name of names) {
        try {
          streams[name] = await observeStream(jsm, name);
        } catch (error) {
          if (!isStreamNotFound(error)) throw error;
        }
      }
      return { streams };
    });
  },

  compareDetails: compareStreamFacts,

  dropDestination: deleteRestoredStreams,

  manualRestoreSteps(settings, artifacts: ManualArtifact[]) {
    const server = settings.servers[0];
    return [
      `Each \`.jsonl\` artifact is one stream: line 1 is \`{"type":"stream"}\` with the stream's configuration,`,
      'then one `{"type":"consumer"}` line per durable consumer, one `{"type":"message"}` line per message',
      '(`subject`, `headers` as [name, value] pairs, `data` in base64, original `seq` and `time`), and a final `{"type":"end"}` line.',
      '',
      '1. Stop the applications that publish to or consume from these streams: a restore republishes every message on its subject.',
      '2. Unpack the streams:',
      '',
      '```sh',
      ...artifacts.map(a => `${a.catCommand} > ${a.rawName}`),
      '```',
      '',
      `3. For each stream, recreate it with the configuration from line 1 (\`nats --server ${server} stream add --config stream.json\`,`,
      '   after `head -1 STREAM.jsonl | jq .config > stream.json`), then republish the messages in order, e.g.',
      '',
      '```sh',
      `grep '"type":"message"' STREAM.jsonl | jq -r '[.subject, .data] | @tsv' | while IFS=$'\\t' read -r subject data; do`,
      `  printf '%s' "$data" | base64 -d | nats --server ${server} pub "$subject" --force-stdin`,
      'done',
      '```',
      '',
      '   (headers are left out by this loop; sequences are renumbered unless the stream started at 1 without gaps).',
      '4. Recreate each durable consumer from its `config` (`nats consumer add STREAM --config consumer.json`).',
      '5. Compare `nats stream info STREAM` with `details.streams` in MANIFEST.json.',
    ].join('\n');
  },
};
