/** Names of agents, tiers, targets, groups and destinations: never a path. */
export const NAME_PATTERN = /^[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?$/i;
