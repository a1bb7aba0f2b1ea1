import type { DockerRuntime } from '../../docker/DockerRuntime';

/**
 * The Neo4j version from the container: the official images set NEO4J_VERSION; otherwise the
 * image tag when it looks like a version. Only that one variable is read: the environment
 * also holds NEO4J_AUTH.
 */
export async function neo4jVersion(
  runtime: DockerRuntime,
  container: string,
): Promise<string | null> {
  const info = await runtime.inspectContainer(container);
  const fromEnv = (info.Config.Env ?? [])
    .find(e => e.startsWith('NEO4J_VERSION='))
    ?.slice('NEO4J_VERSION='.length);
  if (fromEnv) return fromEnv;
  const tag = /:(\d+(?:\.\d+)*)(?:-[a-z]+)?$/.exec(info.Config.Image ?? '');
  return tag ? tag[1] : null;
}
