import request from 'supertest';
import { useTempDir } from '../testing/tempDir';
import { AgentServer, startAgentServer } from './startAgentServer';

const TOKEN = 'groups-test-token-0123456789-a7c3e';

/** GET /v1/groups when the Docker Engine cannot be reached (the real-Docker case is in consistencyGroups.test.ts). */
describe('GET /v1/groups without a reachable Docker Engine', () => {
  const tempDir = useTempDir();
  let server: AgentServer;

  beforeEach(async () => {
    process.env.SAFEKEEP_TEST_GROUPS_TOKEN = TOKEN;
    server = await startAgentServer(
      {
        agent: {
          name: 'groups-test',
          listen: { host: '127.0.0.1', port: 0 },
          token: { env: 'SAFEKEEP_TEST_GROUPS_TOKEN' },
          staging: './staging',
        },
        storage: { local: { type: 'filesystem', path: './snapshots' } },
        docker: { socketPath: './no-docker.sock' },
        targets: { app: { engine: 'sqlite', path: './app.db' } },
        groups: { shop: { containers: ['shop-web'], targets: ['app'] } },
      },
      { baseDir: tempDir(), log: () => undefined },
    );
  });
  afterEach(async () => {
    await server.close();
  });

  it('lists the group with its targets and says why its containers are unknown', async () => {
    const { body } = await request(server.url)
      .get('/v1/groups')
      .set({ Authorization: `Bearer ${TOKEN}` })
      .expect(200);
    expect(body.groups).toEqual([
      {
        name: 'shop',
        source: 'config',
        targets: ['app'],
        mode: 'cut',
        containers: null,
        writers: null,
        excluded: [],
        problem: expect.stringMatching(
          /^no Docker Engine answers at unix:\/\/.*no-docker\.sock \(ENOENT\)/,
        ),
      },
    ]);
  });
});
