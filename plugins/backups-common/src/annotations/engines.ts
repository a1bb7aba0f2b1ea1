/** Engines an agent can back up. `volume` is a Docker named volume. */
export const ENGINES = [
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

export type Engine = (typeof ENGINES)[number];

export function isEngine(value: string): value is Engine {
  return (ENGINES as readonly string[]).includes(value);
}
