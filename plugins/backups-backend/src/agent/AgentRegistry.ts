import type { BackupsConfig } from '../config/readBackupsConfig';
import { AgentClient, AgentClientOptions } from './AgentClient';

/** The configured agents by name, and their tokens for redaction. */
export class AgentRegistry {
  private readonly clients = new Map<string, AgentClient>();

  constructor(
    private readonly config: BackupsConfig,
    options: AgentClientOptions = {},
  ) {
    for (const agent of config.agents.values()) {
      this.clients.set(agent.name, new AgentClient(agent, options));
    }
  }

  get(name: string): AgentClient | undefined {
    return this.clients.get(name);
  }

  names(): string[] {
    return [...this.clients.keys()];
  }

  /** Every configured token, so that error text can be cleaned of them. */
  secrets(): string[] {
    return [...this.config.agents.values()].map(a => a.token);
  }
}
