import type { AddressInfo } from 'node:net';
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
import { createAgentApp } from './createAgentApp';

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
  /** `http://host:port` */
  url: string;
  config: AgentConfig;
  service: SnapshotService;
  jobs: JobRegistry;
  /** Stops accepting requests, then waits for running jobs to finish. */
  close(): Promise<void>;
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
  const app = createAgentApp({ service, jobs, token, log });

  const host = options.host ?? parsed.agent.listen.host;
  const server = app.listen(options.port ?? parsed.agent.listen.port, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
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
