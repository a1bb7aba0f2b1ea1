import type { IncomingMessage, RequestListener } from 'node:http';
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
import { readJsonBody } from './readJsonBody';
import { requestSignature } from './requestSignature';
import {
  accepted,
  ApiReply,
  json,
  Router,
  sendReply,
  splitUrl,
} from './router';
import {
  declaredDestinations,
  resolveDestination,
} from '../destinations/resolveDestination';
import { declaredRestoreChoices } from './declaredRestoreChoices';
import { discreetPreview } from './discreetPreview';
import { errorReply } from './HttpError';
import {
  dropDestinationSchema,
  groupRestoreSchema,
  listSnapshotsQuerySchema,
  pruneSchema,
  restoreSchema,
  startBackupSchema,
  verifySchema,
} from './requestSchemas';
import { isLoopback } from './isLoopback';

/**
 * The agent's HTTP API (`/v1/...`), as described in docs/agent.md, as a listener for Node's
 * `http` or `https` server. Every route requires the bearer token, checked before the body is
 * read; then the body (JSON, at most 64 KiB) and the request signature. Long operations return
 * 202 with a job to poll at GET /v1/jobs/:id.
 */
export function createAgentApp(options: {
  service: SnapshotService;
  jobs: JobRegistry;
  token: string;
  log: (message: string) => void;
  /** The address it listens on: unsigned requests are refused beyond loopback by default. */
  host?: string;
}): RequestListener {
  const { service, jobs } = options;
  const config = service.config;
  const checkToken = bearerAuth(options.token);
  const checkSignature = requestSignature(options.token, {
    // Where others can reach the agent, a captured request must not be replayable.
    required:
      config.agent.requireSignedRequests ??
      !isLoopback(options.host ?? config.agent.listen.host),
  });
  const failed = errorReply(options.log);
  const routes = new Router();

  routes.get('/v1/health', () => {
    const health: AgentHealth = {
      status: 'ok',
      version: AGENT_VERSION,
      name: config.agent.name,
      targets: Object.keys(config.targets).length,
    };
    return json(health);
  });

  routes.get('/v1/targets', async () => {
    const targets: AgentTarget[] = (await service.listTargets()).map(t => ({
      name: t.name,
      engine: t.engine,
      tiers: t.tiers,
      source: t.source,
      destinations: declaredDestinations(t),
    }));
    return json({ targets });
  });

  routes.get('/v1/groups', async () => {
    return json({ groups: await service.listGroups() });
  });

  routes.post('/v1/backups', async req => {
    const body = startBackupSchema.parse(req.body);
    if (body.group) {
      const group = await service.group(body.group);
      const work = groupBackupWork(service, group.name);
      return accepted(
        jobs.start('backup', { kind: 'group', name: group.name }, work, {
          alsoLocks: group.targets,
        }),
      );
    }
    const target = await service.resolveTarget(body.target!);
    return accepted(
      jobs.start(
        'backup',
        { kind: 'target', name: target.name },
        backupWork(service, target.name),
      ),
    );
  });

  routes.get('/v1/jobs', () => json({ jobs: jobs.list() }));

  routes.get('/v1/jobs/:id', req => {
    const job = jobs.get(req.params.id);
    if (!job)
      throw new NotFoundError(
        `no job ${req.params.id} (jobs are kept in memory until the agent restarts)`,
      );
    return json(job);
  });

  routes.get('/v1/snapshots', async req => {
    const query = listSnapshotsQuerySchema.parse(req.query);
    return json({ snapshots: await service.list(query.target, query.tier) });
  });

  routes.post('/v1/verify', async req => {
    const body = verifySchema.parse(req.body);
    await service.assertSnapshotExists(
      body.target,
      body.snapshotId,
      body.tier,
      body.from,
    );
    return accepted(
      jobs.start(
        'verify',
        { kind: 'target', name: body.target },
        verifyWork(service, body.target, body.snapshotId, body.tier, body.from),
      ),
    );
  });

  routes.post('/v1/restores', async req => {
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
      return json(
        discreetPreview(
          await service.dryRunRestore(body.target, body.snapshotId, checks),
          options.log,
        ),
      );
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
    return accepted(
      jobs.start('restore', { kind: 'target', name: body.target }, work),
    );
  });

  // A consistency group's restore: its own request, never guessed from a key of /v1/restores.
  routes.post('/v1/group-restores', async req => {
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
      return json(await service.dryRunRestoreGroup(group.name, chosen));
    }
    return accepted(
      jobs.start(
        'restore',
        { kind: 'group', name: group.name },
        groupRestoreWork(service, group.name, chosen),
        { alsoLocks: group.targets },
      ),
    );
  });

  routes.post('/v1/destinations/drop', async req => {
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
    return json({
      ...(await service.dropDestination(
        target.name,
        resolveDestination(target, body.destination),
      )),
      destination: body.destination,
    });
  });

  routes.post('/v1/prune', async req => {
    const body = pruneSchema.parse(req.body);
    const target = await service.resolveTarget(body.target);
    if (body.tier !== undefined && !target.tiers.includes(body.tier)) {
      throw new NotFoundError(
        `target "${target.name}" is not stored in tier "${
          body.tier
        }"; its tiers are ${target.tiers.join(', ')}`,
      );
    }
    return accepted(
      jobs.start(
        'prune',
        { kind: 'target', name: body.target },
        pruneWork(service, body.target, body),
      ),
    );
  });

  const noSuchRoute = json(
    { error: 'no such route; see docs/agent.md for the API' },
    404,
  );

  async function answer(request: IncomingMessage): Promise<ApiReply> {
    try {
      const badToken = checkToken(request.headers);
      if (badToken) return badToken;
      const method = request.method ?? 'GET';
      const url = request.url ?? '/';
      const { raw, body } = await readJsonBody(request);
      const badSignature = checkSignature({
        method,
        url,
        headers: request.headers,
        body: raw,
      });
      if (badSignature) return badSignature;
      const { path, query } = splitUrl(url);
      const route = routes.match(method, path);
      if (!route) return noSuchRoute;
      return await route.handler({
        method,
        path,
        headers: request.headers,
        params: route.params,
        query,
        body,
      });
    } catch (error) {
      return failed(error);
    }
  }

  return (request, response) => {
    answer(request)
      .then(reply => sendReply(response, reply))
      // A reply that cannot be written as JSON is a 500, or a cut connection once headers went.
      .catch(error => {
        if (response.headersSent) response.destroy();
        else sendReply(response, failed(error));
      });
  };
}

export type { StartBackupConflict };
