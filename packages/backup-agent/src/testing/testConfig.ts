import { AgentConfig, parseConfig } from '../config/loadConfig';

export const TEST_TOKEN_ENV = 'SAFEKEEP_TEST_AGENT_TOKEN';

/** A validated config rooted in `dir`, with a local filesystem tier unless storage is given. */
export function testConfig(
  dir: string,
  targets: Record<string, Record<string, unknown>>,
  storage: Record<string, Record<string, unknown>> = {
    local: { type: 'filesystem', path: './snapshots' },
  },
  /** Further top-level sections: docker, groups, encryption. */
  extra: Record<string, unknown> = {},
): AgentConfig {
  return parseConfig(
    {
      agent: {
        name: 'test-agent',
        token: { env: TEST_TOKEN_ENV },
        staging: './staging',
        listen: { port: 0 },
      },
      storage,
      targets,
      ...extra,
    },
    { baseDir: dir },
  );
}
