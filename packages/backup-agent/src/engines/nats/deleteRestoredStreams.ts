import type { JetStreamManager, NatsConnection } from 'nats';
import { DropRefusedError, NotSupportedError } from '../../snapshots/errors';
import type { EngineContext } from '../EngineDriver';
import { sameServer } from '../sameServer';
import { connectNats, withNats } from './connectNats';
import type { NatsSettings } from './natsSettings';
import {
  displayNatsServers,
  displayNatsUrl,
  natsServerAddress,
} from './natsServerAddress';
import { isStreamNotFound } from './streamFacts';

/** When a stream was created (nanosecond ISO time), or none when the server has no such stream. */
async function createdAt(
  jsm: JetStreamManager,
  stream: string,
): Promise<string | undefined> {
  try {
    return (await jsm.streams.info(stream)).created;
  } catch (error) {
    if (isStreamNotFound(error)) return undefined;
    throw error;
  }
}

/** The target's own server, connected; a refusal when it does not answer (its streams cannot be told apart then). */
async function connectOwn(
  own: NatsSettings,
  refusal: (why: string) => DropRefusedError,
): Promise<NatsConnection> {
  try {
    return await connectNats(own);
  } catch (error) {
    throw refusal(
      `the target's own server does not answer (${
        (error as Error).message
      }), so whether they are its streams, seen through another server of its cluster, cannot be told; try again when it answers`,
    );
  }
}

/**
 * Deletes the streams a restore created on a scratch NATS server (`--to nats://...`): the
 * target's `streams`, which are what its snapshots hold and a restore recreates, and nothing
 * else on that server. Refused before anything is deleted: the target's own server by address
 * or by server_id (a second name, a forwarded port), and any stream that the own server has
 * with the same creation time, which is the target's stream seen through another server that
 * shares its JetStream (a node of its cluster).
 */
export async function deleteRestoredStreams(
  settings: NatsSettings,
  own: NatsSettings,
  context: EngineContext,
): Promise<string> {
  const where = displayNatsServers(settings.servers);
  const ownWhere = displayNatsServers(own.servers);
  if (!settings.streams) {
    throw new NotSupportedError(
      `the target backs up every stream, so which streams a restore created on NATS at ${where} is not known and none is deleted; list them in targets.${
        context.targetName
      }.streams, or delete them by hand (nats --server ${displayNatsUrl(
        settings.servers[0],
      )} stream rm NAME)`,
    );
  }
  const streams = settings.streams;
  const refusal = (why: string) =>
    new DropRefusedError(
      `refusing to delete streams on NATS at ${where}: ${why}; only a restore destination elsewhere can be dropped`,
    );

  for (const server of settings.servers) {
    for (const ownServer of own.servers) {
      if (
        await sameServer(
          natsServerAddress(server),
          natsServerAddress(ownServer),
        )
      ) {
        throw refusal(
          `it is the target's own server (${displayNatsUrl(ownServer)})`,
        );
      }
    }
  }

  return withNats(settings, async scratch => {
    const ownConnection = await connectOwn(own, refusal);
    const present: string[] = [];
    try {
      if (
        scratch.info?.server_id !== undefined &&
        scratch.info.server_id === ownConnection.info?.server_id
      ) {
        throw refusal(
          `it is the target's own server (${ownWhere} answers with the same server_id)`,
        );
      }
      const scratchJsm = await scratch.jetstreamManager();
      const ownJsm = await ownConnection.jetstreamManager();
      for (const stream of streams) {
        const created = await createdAt(scratchJsm, stream);
        if (created === undefined) continue;
        if (created === (await createdAt(ownJsm, stream))) {
          throw refusal(
            `stream ${stream} there is the target's own stream (${ownWhere} has it with the same creation time, ${created}: a server that shares its JetStream, such as another node of its cluster)`,
          );
        }
        present.push(stream);
      }
    } finally {
      await ownConnection.close();
    }

    if (present.length === 0)
      return `stream(s) ${streams.join(
        ', ',
      )} do not exist on NATS at ${where}; nothing to drop`;
    const jsm = await scratch.jetstreamManager();
    for (const stream of present) {
      await jsm.streams.delete(stream).catch(error => {
        if (!isStreamNotFound(error))
          throw new Error(
            `deleting stream ${stream} on NATS at ${where} failed: ${
              (error as Error).message
            }`,
          );
      });
    }
    const absent = streams.filter(stream => !present.includes(stream));
    return `deleted stream(s) ${present.join(', ')} on NATS at ${where}${
      absent.length > 0 ? `; ${absent.join(', ')} did not exist there` : ''
    }`;
  });
}
