/**
 * The engines the agent's built-in drivers back up (`volume` is a Docker named volume): for the
 * UI's examples and the docs. Not the set of valid engines: an agent may register more
 * (`registerEngineDriver`), and what a target's engine is, only its agent says (GET /v1/targets).
 */
export const KNOWN_ENGINES = [
  'postgres',
  'mariadb',
  'redis',
  'nats',
  'sqlite',
  'directory',
  's3',
  'volume',
  'neo4j',
  'milvus',
  'clickhouse',
] as const;

export type KnownEngine = (typeof KNOWN_ENGINES)[number];

/** An engine's name, known or registered by an agent; `string & {}` keeps the known ones suggested. */
export type Engine = KnownEngine | (string & {});

/** What an engine's name may look like: lower-case letters, digits, ".", "_" or "-" (at most 64). */
export const ENGINE_NAME_PATTERN = /^[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?$/;

export function isKnownEngine(value: string): value is KnownEngine {
  return (KNOWN_ENGINES as readonly string[]).includes(value);
}

export function isEngineName(value: string): value is Engine {
  return ENGINE_NAME_PATTERN.test(value);
}
