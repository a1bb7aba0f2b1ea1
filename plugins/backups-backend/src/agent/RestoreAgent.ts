import type { AgentClient } from './AgentClient';

/** The agent calls restores make; an AgentClient, or a stand-in in unit tests. */
export type RestoreAgent = Pick<
  AgentClient,
  | 'name'
  | 'listSnapshots'
  | 'listTargets'
  | 'startVerify'
  | 'startRestore'
  | 'startGroupRestore'
  | 'getJob'
> &
  // Optional so stand-ins of older agents (and unit tests) need not have them.
  Partial<
    Pick<
      AgentClient,
      'dryRunRestore' | 'dryRunGroupRestore' | 'dropDestination' | 'listGroups'
    >
  >;

/** Finds the agent of a policy by name. */
export interface RestoreAgents {
  get(name: string): RestoreAgent | undefined;
}
