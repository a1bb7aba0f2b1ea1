/**
 * Why a call to an agent failed. `unreachable` and `timeout` may pass; the others need a fix
 * (token, agent config, agent version) or describe the agent's refusal.
 */
export type AgentErrorKind =
  | 'unreachable'
  | 'timeout'
  | 'unauthorized'
  | 'not_found'
  | 'rejected'
  | 'server_error'
  | 'bad_response';

/** An agent call failed. The message names the agent and URL path, never the token. */
export class AgentError extends Error {
  constructor(
    readonly kind: AgentErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'AgentError';
  }

  /** True when trying again later may work. */
  get transient(): boolean {
    return (
      this.kind === 'unreachable' ||
      this.kind === 'timeout' ||
      this.kind === 'server_error'
    );
  }
}

/**
 * The agent's own words when it answered with an error; otherwise what was thrown, after
 * `otherwise` (`Starting the backup failed`) when given.
 */
export function agentErrorText(error: unknown, otherwise?: string): string {
  if (error instanceof AgentError) return error.message;
  return otherwise ? `${otherwise}: ${String(error)}` : String(error);
}

/** The agent answered that it knows no such thing (404), or not this request (400, an older agent). */
export function isUnknownToAgent(error: unknown): error is AgentError {
  return (
    error instanceof AgentError &&
    (error.status === 404 || error.status === 400)
  );
}
