import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Stand-ins for the 10 host agents, answering as the real agent does (recorded from its API):
 * `POST /v1/backups` starts a job (202) or answers 409 while the target has one, the job
 * succeeds after a short random time with a snapshot; `POST /v1/prune` and the health route
 * answer likewise. Each backup start is recorded, and a start while the same target's job
 * still runs is an overlap (the real agent refuses it with 409; counted, then refused too).
 */
export interface BackupStart {
  agent: string;
  target: string;
  at: number;
}

export interface StandInAgents {
  agents: Record<string, { url: string; token: string }>;
  starts: BackupStart[];
  overlaps: number;
  refused: number;
  close(): Promise<void>;
}

const TOKEN = 'bench-replicas-agent-token-0123456789abcdef';

export async function startStandInAgents(
  count: number,
  jobMs: { min: number; max: number },
): Promise<StandInAgents> {
  const result: StandInAgents = {
    agents: {},
    starts: [],
    overlaps: 0,
    refused: 0,
    close: async () => undefined,
  };
  const servers: http.Server[] = [];
  for (let a = 0; a < count; a++) {
    const name = `agent-${a}`;
    const jobs = new Map<
      string,
      { target: string; kind: string; startedAt: number; endsAt: number }
    >();
    const activeOf = (target: string, now: number) =>
      [...jobs.entries()].find(
        ([, j]) => j.target === target && j.endsAt > now,
      );
    let next = 0;
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', c => (body += c));
      req.on('end', () => {
        const send = (status: number, value: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(value));
        };
        if (req.headers.authorization !== `Bearer ${TOKEN}`)
          return send(401, { error: 'bad token' });
        const now = Date.now();
        const jobView = (id: string) => {
          const j = jobs.get(id)!;
          const done = j.endsAt <= Date.now();
          const snapshotId = new Date(j.startedAt)
            .toISOString()
            .replace(/\.\d{3}Z$/, 'Z')
            .replace(/[-:]/g, '');
          return {
            id,
            kind: j.kind,
            subject: { kind: 'target', name: j.target },
            state: done ? 'succeeded' : 'running',
            phase: done ? 'done' : 'dumping',
            bytes: done ? 1000 : 100,
            startedAt: new Date(j.startedAt).toISOString(),
            ...(done ? { finishedAt: new Date(j.endsAt).toISOString() } : {}),
            ...(done && j.kind === 'backup'
              ? {
                  snapshots: [
                    {
                      id: snapshotId,
                      target: j.target,
                      tier: 'local',
                      createdAt: new Date(j.startedAt).toISOString(),
                      bytes: 1000,
                      rawBytes: 4000,
                      sha256: 'b'.repeat(64),
                      artifacts: [
                        {
                          name: `${j.target}.db.zst`,
                          bytes: 1000,
                          sha256: 'b'.repeat(64),
                        },
                      ],
                      location: `file:///bench/${j.target}/${snapshotId}/`,
                      engine: 'sqlite',
                      engineVersion: '3.45.0',
                      manifestVersion: 1,
                    },
                  ],
                }
              : {}),
            ...(done && j.kind === 'prune'
              ? {
                  details: {
                    dryRun: false,
                    tiers: [
                      {
                        tier: 'local',
                        kept: [],
                        pruned: [],
                        incompleteRemoved: [],
                        skipped: [],
                      },
                    ],
                  },
                }
              : {}),
          };
        };
        if (req.method === 'GET' && req.url === '/v1/health')
          return send(200, {
            status: 'ok',
            version: 'bench',
            name,
            targets: 100,
          });
        const jobMatch = /^\/v1\/jobs\/([^/?]+)$/.exec(req.url ?? '');
        if (req.method === 'GET' && jobMatch) {
          return jobs.has(jobMatch[1])
            ? send(200, jobView(jobMatch[1]))
            : send(404, { error: `no job ${jobMatch[1]}` });
        }
        if (
          req.method === 'POST' &&
          (req.url === '/v1/backups' || req.url === '/v1/prune')
        ) {
          const { target } = JSON.parse(body || '{}');
          const kind = req.url === '/v1/backups' ? 'backup' : 'prune';
          const active = activeOf(target, now);
          if (kind === 'backup') {
            result.starts.push({ agent: name, target, at: now });
            if (active && active[1].kind === 'backup') result.overlaps++;
          }
          if (active) {
            result.refused++;
            return send(409, {
              error: `a job for target ${target} is already running`,
              runningJobId: active[0],
            });
          }
          const id = `${name}-job-${++next}`;
          const ms = jobMs.min + Math.random() * (jobMs.max - jobMs.min);
          jobs.set(id, { target, kind, startedAt: now, endsAt: now + ms });
          return send(202, {
            id,
            kind,
            target,
            state: 'running',
            phase: 'starting',
            bytes: 0,
            startedAt: new Date(now).toISOString(),
          });
        }
        send(404, { error: `no route ${req.method} ${req.url}` });
      });
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    result.agents[name] = {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      token: TOKEN,
    };
  }
  result.close = async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise(resolve => s.close(resolve));
    }
  };
  return result;
}
