import { mockServices } from '@backstage/backend-test-utils';
import type express from 'express';
import { createRestoresRouter } from '../restores/restoresRouter';
import { createRouter } from '../router';
import openapiDocument from './openapi.yaml';

interface OpenApiOperation {
  'x-permission'?: string;
  responses: Record<string, unknown>;
}
type OpenApi = { paths: Record<string, Record<string, OpenApiOperation>> };

// Backstage's Jest config turns .yaml imports into the parsed document.
const openapi = openapiDocument as unknown as OpenApi;

/** `METHOD /path/{param}` of every route an express router registers, its nested routers' too. */
function routesOf(router: express.Router): string[] {
  return router.stack.flatMap(layer => {
    const nested = (layer.handle as Partial<express.Router>).stack;
    if (nested) return routesOf(layer.handle as express.Router);
    const route = layer.route as
      | { path: string; methods: Record<string, boolean> }
      | undefined;
    if (!route) return [];
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    return Object.keys(route.methods).map(
      method => `${method.toUpperCase()} ${path}`,
    );
  });
}

async function pluginRoutes(): Promise<string[]> {
  // Only the route table is read: the handlers never run, so no services are needed.
  const deps = {
    httpAuth: mockServices.httpAuth(),
    permissions: mockServices.permissions(),
    auditor: mockServices.auditor.mock(),
  };
  const none = {} as never;
  const main = await createRouter({
    ...deps,
    service: none,
    overview: none,
    sizes: none,
    targets: none,
  });
  const restores = await createRestoresRouter({ ...deps, service: none });
  return [...routesOf(main), ...routesOf(restores)].sort();
}

const documented = () =>
  Object.entries(openapi.paths)
    .flatMap(([path, operations]) =>
      Object.keys(operations).map(method => `${method.toUpperCase()} ${path}`),
    )
    .sort();

describe('src/schema/openapi.yaml', () => {
  it('describes every route of the plugin, and no route that does not exist', async () => {
    const routes = await pluginRoutes();
    expect(routes.length).toBeGreaterThan(10);
    expect(documented()).toEqual(routes);
  });

  it('names the permission of every route but /health, and its error answers', () => {
    const missing = Object.entries(openapi.paths).flatMap(
      ([path, operations]) =>
        Object.entries(operations).flatMap(([method, operation]) => [
          ...(typeof operation['x-permission'] === 'string'
            ? []
            : [`${method} ${path}: no x-permission`]),
          ...(path === '/health' || '401' in operation.responses
            ? []
            : [`${method} ${path}: no 401 answer`]),
        ]),
    );
    expect(missing).toEqual([]);
  });
});
