import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { RequestError } from './RequestError';

/** What a route handler sees of a request. */
export interface ApiRequest {
  method: string;
  /** The path (`/v1/jobs/...`), without the query. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The `:name` segments of the route's pattern, decoded. */
  params: Record<string, string>;
  /** The query's parameters; one named twice is a list. */
  query: Record<string, string | string[]>;
  /** The JSON body; `{}` when the request has none. */
  body: unknown;
}

/** What a handler answers: a status and a JSON body. */
export interface ApiReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type RouteHandler = (
  request: ApiRequest,
) => ApiReply | Promise<ApiReply>;

/** A JSON answer, 200 unless told. */
export const json = (body: unknown, status = 200): ApiReply => ({
  status,
  body,
});

/** 202: a job was started; poll it at GET /v1/jobs/:id. */
export const accepted = (body: unknown): ApiReply => json(body, 202);

interface Route {
  method: string;
  segments: string[];
  handler: RouteHandler;
}

/** `/v1/jobs?state=running` as its path and its query. */
export function splitUrl(url: string): {
  path: string;
  query: Record<string, string | string[]>;
} {
  const mark = url.indexOf('?');
  const query: Record<string, string | string[]> = {};
  if (mark >= 0) {
    for (const [name, value] of new URLSearchParams(url.slice(mark + 1))) {
      const before = query[name];
      query[name] =
        before === undefined
          ? value
          : [...(Array.isArray(before) ? before : [before]), value];
    }
  }
  return { path: mark >= 0 ? url.slice(0, mark) : url, query };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new RequestError(400, `the path segment "${segment}" is not valid`);
  }
}

/**
 * The agent API's routes: a method and a pattern (`/v1/jobs/:id`, one segment per `:name`) to a
 * handler. Node's own `http` instead of a framework: the API is a dozen JSON routes, and
 * express with its dependencies held about 7 MiB of a waiting agent's memory. HEAD runs GET's
 * handler (Node sends no body for it); one trailing slash is ignored.
 */
export class Router {
  private readonly routes: Route[] = [];

  get(pattern: string, handler: RouteHandler): void {
    this.add('GET', pattern, handler);
  }

  post(pattern: string, handler: RouteHandler): void {
    this.add('POST', pattern, handler);
  }

  /** The handler of a method and path, with its parameters; undefined when no route matches. */
  match(
    method: string,
    path: string,
  ): { handler: RouteHandler; params: Record<string, string> } | undefined {
    const wanted = method === 'HEAD' ? 'GET' : method;
    const segments = (
      path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path
    ).split('/');
    for (const route of this.routes) {
      if (route.method !== wanted) continue;
      const params = matchSegments(route.segments, segments);
      if (params) return { handler: route.handler, params };
    }
    return undefined;
  }

  private add(method: string, pattern: string, handler: RouteHandler) {
    this.routes.push({ method, segments: pattern.split('/'), handler });
  }
}

function matchSegments(
  pattern: string[],
  segments: string[],
): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i].startsWith(':')) {
      if (segments[i] === '') return undefined;
      params[pattern[i].slice(1)] = decodeSegment(segments[i]);
    } else if (pattern[i] !== segments[i]) {
      return undefined;
    }
  }
  return params;
}

/** Writes a reply as JSON. */
export function sendReply(response: ServerResponse, reply: ApiReply): void {
  const text = JSON.stringify(reply.body);
  response.writeHead(reply.status, {
    ...reply.headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}
