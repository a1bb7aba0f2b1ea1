import type { HttpAuthService } from '@backstage/backend-plugin-api';
import express from 'express';
import Router from 'express-promise-router';
import type { TargetsService } from './TargetsService';

/** Every backup target the caller may read (backups.read decided per entity). */
export function createTargetsRouter(options: {
  targets: TargetsService;
  httpAuth: HttpAuthService;
}): express.Router {
  const { targets, httpAuth } = options;
  const router = Router();
  router.get('/targets', async (req, res) => {
    res.json(await targets.list(await httpAuth.credentials(req)));
  });
  return router;
}
