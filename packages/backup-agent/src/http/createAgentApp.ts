import type express from 'express';
import type { NextFunction, Request, Response } from 'express';
import type {
  AgentHealth,
  AgentTarget,
  StartBackupConflict,
} from '@safekeep/plugin-backups-common';
import { JobConflictError, JobRegistry } from '../jobs/JobRegistry';
import {
  backupWork,
  groupBackupWork,
  groupRestoreWork,
  pruneWork,
  restoreWork,
  verifyWork,
} from '../jobs/agentOperations';
import { NotFoundError } from '../snapshots/errors';
import type { SnapshotService } from '../snapshots/SnapshotService';
import { AGENT_VERSION } from '../version';
import { bearerAuth } from './bearerAuth';
import { requestSignature, RequestWithRawBody } from './requestSignature';
import {
  declaredDestinations,
  resolveDestination,
} from '../destinations/resolveDestination';
import { declaredRestoreChoices } from './declaredRestoreChoices';
import { discreetPreview } from './discreetPreview';
import { errorHandler } from './HttpError';
import {
  dropDestinationSchema,
  groupRestoreSchema,
  listSnapshotsQuerySchema,
  pruneSchema,
  restoreSchema,
  startBackupSchema,
  verifySchema,
} from './requestSchemas';
import { expressLibrary } from '../libraries';
import { isLoopback } from './isLoopback';

type AsyncHandler = (req: Request, res: Response) => Promise<void>;

const handle =
  (fn: AsyncHandler) => (req: Request, res: Response, next: NextFunction) => {
    fn(req, res).catch(next);
  };

/**
 * The agent's HTTP API (`/v1/...`), as described in docs/agent.md. Every route requires the
 * bearer token. Long operations return 202 with a job to poll at GET /v1/jobs/:id.
 */
export function createAgentApp(options: {
  service: SnapshotService;
  jobs: JobRegistry;
  token: string;
  log: (message: string) => void;
  /** The address it listens on: unsigned requests are refused beyond loopback by default. */
  host?: string;
}): express.Express {
  const { service, jobs } = options;
  const config = service.config;
  const http = expressLibrary();
  const app = http();
  app.disable('x-powered-by');
  app.use(bearerAuth(options.token));
  app.use(
    http.json({
      limit: '64kb',
      // The signature covers the body's bytes as sent.
      verify: (req, _res, buffer) => {
        (req as RequestWithRawBody).rawBody = buffer;
      },
    }),
  );
  app.use(
    requestSignature(options.token, {
      // Where others can reach the agent, a captured request must not be replayable.
      required:
        config.agent.requireSignedRequests ??
        !isLoopback(options.host ?? config.agent.listen.host),
    }),
  );

  app.get('/v1/health', (_req, res) => {
    const health: AgentHealth = {
      status: 'ok',
      version: AGENT_VERSION,
      name: config.agent.name,
      targets: Object.keys(config.targets).length,
    };
    res.json(health);
  });

  app.get(
    '/v1/targets',
    handle(async (_req, res) => {
      const targets: AgentTarget[] = (await service.listTargets()).map(t => ({
        name: t.name,
        engine: t.engine,
        tiers: t.tiers,
        source: t.source,
        destinations: declaredDestinations(t),
      }));
      res.json({ targets });
    }),
  );

  app.get(
    '/v1/groups',
    handle(async (_req, res) => {
      res.json({ groups: await service.listGroups() });
    }),
  );

  app.post(
    '/v1/backups',
    handle(async (req, res) => {
      const body = startBackupSchema.parse(req.body);
      if (body.group) {
        const group = await service.group(body.group);
        const work = groupBackupWork(service, group.name);
        res.status(202).json(
          jobs.start('backup', { kind: 'group', name: group.name }, work, {
            alsoLocks: group.targets,
          }),
        );
        return;
      }
      const target = await service.resolveTarget(body.target!);
      res
        .status(202)
        .json(
          jobs.start(
            'backup',
            { kind: 'target', name: target.name },
            backupWork(service, target.name),
          ),
        );
    }),
  );

  app.get('/v1/jobs', (_req, res) => {
    res.json({ jobs: jobs.list() });
  });

  app.get('/v1/jobs/:id', (req, res) => {
    const job = jobs.get(req.params.id);
    if (!job)
      throw new NotFoundError(
        `no job ${req.params.id} (jobs are kept in memory until the agent restarts)`,
      );
    res.json(job);
  });

  app.get(
    '/v1/snapshots',
    handle(async (req, res) => {
      const query = listSnapshotsQuerySchema.parse(req.query);
      res.json({ snapshots: await service.list(query.target, query.tier) });
    }),
  );

  app.post(
    '/v1/verify',
    handle(async (req, res) => {
      const body = verifySchema.parse(req.body);
      await service.assertSnapshotExists(
        body.target,
        body.snapshotId,
        body.tier,
        body.from,
      );
      res
        .status(202)
        .json(
          jobs.start(
            'verify',
            { kind: 'target', name: body.target },
            verifyWork(
              service,
              body.target,
              body.snapshotId,
              body.tier,
              body.from,
            ),
          ),
        );
    }),
  );

  app.post(
    '/v1/restores',
    handle(async (req, res) => {
      const body = restoreSchema.parse(req.body);
      // Refused before anything is read, connected to or probed.
      const destination = await declaredRestoreChoices(service, body);
      if (body.dryRun) {
        // Read-only, so no job lock: answers while a backup of the target runs too.
        const checks = {
          tier: body.tier,
          force: body.force,
          destination,
          from: body.from,
        };
        res.json(
          discreetPreview(
            await service.dryRunRestore(body.target, body.snapshotId, checks),
            options.log,
          ),
        );
        return;
      }
      await service.assertSnapshotExists(
        body.target,
        body.snapshotId,
        body.tier,
        body.from,
      );
      const work = restoreWork(service, body.target, body.snapshotId, {
        tier: body.tier,
        force: body.force,
        destination,
        from: body.from,
      });
      res
        .status(202)
        .json(
          jobs.start('restore', { kind: 'target', name: body.target }, work),
        );
    }),
  );

  // A consistency group's restore: its own request, never guessed from a key of /v1/restores.
  app.post(
    '/v1/group-restores',
    handle(async (req, res) => {
      const {
        group: name,
        dryRun,
        ...selection
      } = groupRestoreSchema.parse(req.body);
      const group = await service.group(name);
      const chosen = selection.snapshotIds
        ? {
            snapshotIds: selection.snapshotIds,
            tier: selection.tier,
            force: selection.force,
          }
        : {
            window: selection.window!,
            tier: selection.tier,
            force: selection.force,
          };
      if (dryRun) {
        // Read-only like a single dry run: no job, no lock, nothing stopped.
        res.json(await service.dryRunRestoreGroup(group.name, chosen));
        return;
      }
      res
        .status(202)
        .json(
          jobs.start(
            'restore',
            { kind: 'group', name: group.name },
            groupRestoreWork(service, group.name, chosen),
            { alsoLocks: group.targets },
          ),
        );
    }),
  );

  app.post(
    '/v1/destinations/drop',
    handle(async (req, res) => {
      const body = dropDestinationSchema.parse(req.body);
      const target = await service.resolveTarget(body.target);
      // Never under a running restore (or backup) of the target.
      const running = jobs
        .list()
        .find(
          j =>
            j.state === 'running' &&
            j.subject.kind === 'target' &&
            j.subject.name === target.name,
        );
      if (running) throw new JobConflictError(running);
      res.json({
        ...(await service.dropDestination(
          target.name,
          resolveDestination(target, body.destination),
        )),
        destination: body.destination,
      });
    }),
  );

  app.post(
    '/v1/prune',
    handle(async (req, res) => {
      const body = pruneSchema.parse(req.body);
      const target = await service.resolveTarget(body.target);
      if (body.tier !== undefined && !target.tiers.includes(body.tier)) {
        throw new NotFoundError(
          `target "${target.name}" is not stored in tier "${
            body.tier
          }"; its tiers are ${target.tiers.join(', ')}`,
        );
      }
      res
        .status(202)
        .json(
          jobs.start(
            'prune',
            { kind: 'target', name: body.target },
            pruneWork(service, body.target, body),
          ),
        );
    }),
  );

  app.use((_req, res) => {
    res
      .status(404)
      .json({ error: 'no such route; see docs/agent.md for the API' });
  });
  app.use(errorHandler(options.log));
  return app;
}

export type { StartBackupConflict };
