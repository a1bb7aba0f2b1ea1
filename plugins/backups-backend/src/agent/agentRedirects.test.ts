import { AgentClient } from './AgentClient';
import { AgentError } from './AgentError';
import {
  sendJson,
  StandInAgent,
  startStandInAgent,
} from '../testing/standInAgent';

/**
 * Plays an agent URL that answers with a redirect (a hijacked host, a proxy, a compromised
 * agent): the backend must not follow it with the token and the request to wherever it points.
 */
const TOKEN = 'redirect-test-token-4c2a9e7b1d3f5a60';

let agent: StandInAgent;
let elsewhere: StandInAgent;

beforeAll(async () => {
  agent = await startStandInAgent();
  elsewhere = await startStandInAgent();
  elsewhere.handle = (_req, _body, res) =>
    sendJson(res, 200, {
      status: 'ok',
      version: '1',
      name: 'demo-host',
      targets: 0,
    });
});

afterAll(async () => {
  await agent.close();
  await elsewhere.close();
});

const client = () =>
  new AgentClient(
    { name: 'demo-host', url: agent.url, token: TOKEN },
    { timeoutMs: 2000 },
  );

it.each([301, 302, 307, 308])(
  'does not follow an HTTP %i from the agent and says why',
  async status => {
    elsewhere.requests.length = 0;
    agent.handle = (_req, _body, res) => {
      res.writeHead(status, { location: `${elsewhere.url}/v1/backups` });
      res.end();
    };
    const error = await client()
      .startBackup('app-db')
      .then(
        () => undefined,
        (e: Error) => e,
      );
    expect(error).toBeInstanceOf(AgentError);
    expect(error?.message).toBe(
      `agent "demo-host" (POST ${agent.url}/v1/backups) answered HTTP ${status}, a redirect to ${elsewhere.url}/v1/backups: the backend does not follow an agent's redirects (they would take the token and the request elsewhere); set backups.agents.demo-host.url to the address the agent answers on`,
    );
    expect(elsewhere.requests).toEqual([]);
  },
);
