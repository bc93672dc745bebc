/**
 * The HTTP routes of the Toxiproxy API (api.go) on top of a {@link ChaosProxyServer}: status
 * codes (201 on create and populate, 204 on delete and reset, 200 otherwise), JSON bodies, and
 * errors as `{"error": "...", "status": N}`. Like Toxiproxy, requests from browsers
 * (User-Agent `Mozilla/…`) are refused, which keeps web pages from driving the API.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiErrors, ToxiproxyApiError } from '../proxy/api-error.js';
import { TOXIPROXY_API_VERSION, type ChaosProxyServer } from './proxy-server.js';

const MAX_BODY_BYTES = 1024 * 1024;

/** Answers one request. Never rejects. */
export async function routeApi(server: ChaosProxyServer, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    if ((req.headers['user-agent'] ?? '').startsWith('Mozilla/')) {
      send(res, 403, 'User agent not allowed\n', 'text/plain; charset=utf-8');
      return;
    }
    if (!server.authorized(req.headers['authorization'])) {
      req.resume();
      json(res, 401, { error: 'unauthorized: send Authorization: Bearer <token>', status: 401 });
      return;
    }
    const url = new URL(req.url ?? '/', 'http://api');
    const parts = url.pathname
      .split('/')
      .filter((p) => p !== '')
      .map(decodeURIComponent);
    const method = req.method ?? 'GET';
    const body = method === 'POST' || method === 'PATCH' ? await readJson(req) : (req.resume(), undefined);
    await dispatch(server, method, parts, body, res);
  } catch (error) {
    const e = error instanceof ToxiproxyApiError ? error : new ToxiproxyApiError(String((error as Error)?.message ?? error), 500);
    json(res, e.status, e.toJSON());
  }
}

async function dispatch(server: ChaosProxyServer, method: string, parts: string[], body: unknown, res: ServerResponse): Promise<void> {
  const [root, proxy, sub, toxic, extra] = parts;
  const route = `${method} /${root ?? ''}${proxy === undefined ? '' : '/:proxy'}${sub === undefined ? '' : `/${sub}`}${toxic === undefined ? '' : '/:toxic'}`;
  if (extra !== undefined) throw notFound();
  switch (route) {
    case 'GET /version':
      send(res, 200, `{"version": "${TOXIPROXY_API_VERSION}"}\n`, 'application/json;charset=utf-8');
      return;
    case 'GET /metrics':
      send(res, 200, server.metrics(), 'text/plain; version=0.0.4; charset=utf-8');
      return;
    case 'POST /reset':
      await server.reset();
      send(res, 204, '', undefined);
      return;
    case 'GET /proxies':
      json(res, 200, server.list());
      return;
    case 'POST /proxies':
      json(res, 201, await server.createProxy(object(body)));
      return;
    case 'POST /populate':
      json(res, 201, { proxies: await server.populate(body ?? eof()) });
      return;
    case 'GET /proxies/:proxy':
      json(res, 200, server.get(proxy!));
      return;
    case 'POST /proxies/:proxy':
    case 'PATCH /proxies/:proxy':
      json(res, 200, await server.updateProxy(proxy!, object(body)));
      return;
    case 'DELETE /proxies/:proxy':
      await server.deleteProxy(proxy!);
      send(res, 204, '', undefined);
      return;
    case 'GET /proxies/:proxy/toxics':
      json(res, 200, server.toxics(proxy!));
      return;
    case 'POST /proxies/:proxy/toxics':
      json(res, 200, server.addToxic(proxy!, body ?? eof()));
      return;
    case 'GET /proxies/:proxy/toxics/:toxic': {
      const found = server.toxics(proxy!).find((t) => t.name === toxic);
      if (found === undefined) throw apiErrors.toxicNotFound();
      json(res, 200, found);
      return;
    }
    case 'POST /proxies/:proxy/toxics/:toxic':
    case 'PATCH /proxies/:proxy/toxics/:toxic':
      json(res, 200, server.updateToxic(proxy!, toxic!, body ?? eof()));
      return;
    case 'DELETE /proxies/:proxy/toxics/:toxic':
      server.removeToxic(proxy!, toxic!);
      send(res, 204, '', undefined);
      return;
    default:
      throw notFound();
  }
}

function notFound(): ToxiproxyApiError {
  return new ToxiproxyApiError('404 page not found', 404);
}

function eof(): never {
  throw apiErrors.badRequestBody('EOF');
}

function object(body: unknown): Record<string, unknown> {
  if (body === undefined) eof();
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw apiErrors.badRequestBody('expected a JSON object');
  return body as Record<string, unknown>;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw apiErrors.badRequestBody('body over 1 MiB');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined; // POST /reset has no body; routes that need one say EOF
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw apiErrors.badRequestBody((error as Error).message);
  }
}

function json(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, JSON.stringify(value), 'application/json');
}

function send(res: ServerResponse, status: number, body: string, type: string | undefined): void {
  if (res.headersSent) return;
  res.writeHead(status, type === undefined ? {} : { 'content-type': type });
  res.end(status === 204 ? undefined : body);
}
