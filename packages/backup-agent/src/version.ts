/** The agent's version, from package.json (the same relative path from src/ and dist/). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const AGENT_VERSION: string = require('../package.json').version;

export const AGENT_TOOL_NAME = 'safekeep-agent';
