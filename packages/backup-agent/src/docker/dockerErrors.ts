/** What dockerode rejects with: an HTTP status from the engine, or a socket error. */
interface DockerodeError {
  statusCode?: number;
  code?: string;
  json?: { message?: string } | null;
  message?: string;
}

export function dockerStatus(error: unknown): number | undefined {
  return (error as DockerodeError)?.statusCode;
}

/** The engine's own sentence ("No such container: db"), without dockerode's "(HTTP code 404)" prefix. */
export function dockerReason(error: unknown): string {
  const e = error as DockerodeError;
  const engine = e?.json?.message;
  if (engine) return engine;
  return (e?.message ?? String(error)).replace(
    /^\(HTTP code \d+\)\s*[^-]*-\s*/,
    '',
  );
}

/** A failure to reach the engine at all, with what to check. */
export function unreachableHint(
  error: unknown,
  endpoint: string,
): string | undefined {
  const code = (error as DockerodeError)?.code;
  if (code === 'EACCES') {
    return `the agent's user may not use the Docker socket ${endpoint} (EACCES): add it to the socket's group, or put a socket proxy in front (see docs/agent.md, Docker)`;
  }
  if (code === 'ENOENT' || code === 'ECONNREFUSED') {
    return `no Docker Engine answers at ${endpoint} (${code}): start it, or set docker.socketPath / docker.host in the agent config`;
  }
  return undefined;
}
