import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../config/ConfigError';
import {
  AgentConfig,
  AgentConfigInput,
  loadConfig,
  parseConfig,
} from '../config/loadConfig';
import { resolveSecret } from '../config/secretRef';
import { JobRegistry } from '../jobs/JobRegistry';
import { holdStagingLock } from '../leftovers/agentLock';
import { cleanLeftovers, describeCleanup } from '../leftovers/cleanLeftovers';
import { SnapshotService } from '../snapshots/SnapshotService';
import { collectStartupGarbage } from './collectStartupGarbage';
import { createAgentApp } from './createAgentApp';
import { startupWarnings } from './startupWarnings';
import { tokenWeakness } from './tokenStrength';

export interface StartAgentServerOptions {
  /** Overrides agent.listen.host. */
  host?: string;
  /** Overrides agent.listen.port; 0 picks a free port. */
  port?: number;
  /** Folder that relative paths of an inline config resolve against; default: the working directory. */
  baseDir?: string;
  log?: (message: string) => void;
}

export interface AgentServer {
  port: number;
  /** `http://host:port`, or `https://` with agent.listen.tls */
  url: string;
  config: AgentConfig;
  service: SnapshotService;
  jobs: JobRegistry;
  /** Stops accepting requests, then waits for running jobs to finish. */
  close(): Promise<void>;
}

/** A TLS file of agent.listen.tls, or a config error naming the field (never its content). */
function readTlsFile(file: string, field: 'cert' | 'key'): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    throw new ConfigError('agent config', [
      `agent.listen.tls.${field}: cannot read ${file} (${
        (error as NodeJS.ErrnoException).code ?? (error as Error).message
      }); point it at a readable PEM file`,
    ]);
  }
}

function isParsedConfig(value: unknown): value is AgentConfig {
  return typeof (value as AgentConfig)?.context?.resolvePath === 'function';
}

function toConfig(
  config: string | AgentConfigInput | AgentConfig,
  baseDir = process.cwd(),
): AgentConfig {
  if (typeof config === 'string') return loadConfig(config);
  if (isParsedConfig(config)) return config;
  return parseConfig(config, { baseDir });
}

/**
 * Starts the agent's HTTP API. `config` is a path to the YAML file, the same structure as an
 * object (as the YAML would give it), or a config from loadConfig/parseConfig.
 */
export async function startAgentServer(
  config: string | AgentConfigInput | AgentConfig,
  options: StartAgentServerOptions = {},
): Promise<AgentServer> {
  const parsed = toConfig(config, options.baseDir);
  const log = options.log ?? (message => process.stderr.write(`${message}\n`));
  const token = resolveSecret(parsed.agent.token);
  const weakness = tokenWeakness(token);
  if (weakness)
    throw new ConfigError(parsed.source, [`agent.token: ${weakness}`]);
  const tls = parsed.agent.listen.tls;
  const host = options.host ?? parsed.agent.listen.host;
  const certificate = tls && {
    cert: readTlsFile(tls.cert, 'cert'),
    key: readTlsFile(tls.key, 'key'),
  };
  for (const warning of startupWarnings(parsed, host)) log(warning);
  const service = new SnapshotService(parsed, { log });
  // What a killed agent left is removed before the first request; never another live agent's.
  const stagingLock = await holdStagingLock(parsed.agent.staging);
  try {
    const cleanup = describeCleanup(
      await cleanLeftovers(parsed, tier => service.storage(tier)),
    );
    if (cleanup) log(cleanup);
  } catch (error) {
    log(`leftovers at start: not cleaned: ${(error as Error).message}`);
  }
  const jobs = new JobRegistry();
  const app = createAgentApp({ service, jobs, token, log, host });

  const server = certificate
    ? https.createServer(certificate, app)
    : http.createServer(app);
  server.listen(options.port ?? parsed.agent.listen.port, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  collectStartupGarbage();
  return {
    port,
    url: `${tls ? 'https' : 'http'}://${
      host.includes(':') ? `[${host}]` : host
    }:${port}`,
    config: parsed,
    service,
    jobs,
    async close() {
      await new Promise<void>(resolve => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await jobs.idle();
      await stagingLock.release();
    },
  };
}
