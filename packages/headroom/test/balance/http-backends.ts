/** Real loopback HTTP backends for balance integration tests and benchmarks (port 0, 127.0.0.1 only). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One backend: its origin, a hit counter, and a switch to make it fail. */
export interface Backend {
  readonly origin: string;
  /** Requests served (excluding /health). */
  hits: number;
  /** Service time per request, ms. */
  delayMs: number;
  /** 'fail' answers 503 at once (requests and /health). */
  mode: 'ok' | 'fail';
  close(): Promise<void>;
}

/**
 * Starts a backend that answers after `delayMs` (or the request's `?delayMs=`) with 200 (or 503 when failing). With
 * `concurrency`, at most that many requests are served at once and the rest queue (a server with
 * finite workers), so load matters as it does in production.
 */
export async function startBackend(delayMs: number, concurrency = Infinity): Promise<Backend> {
  let busy = 0;
  const queue: Array<() => void> = [];
  const release = (): void => {
    busy--;
    const next = queue.shift();
    if (next !== undefined) {
      busy++;
      next();
    }
  };
  const backend = { origin: '', hits: 0, delayMs, mode: 'ok' as 'ok' | 'fail', close: async () => {} };
  const server: Server = createServer((req, res) => {
    res.setHeader('x-origin', backend.origin);
    if (req.url === '/health') {
      res.statusCode = backend.mode === 'ok' ? 200 : 503;
      res.end();
      return;
    }
    backend.hits++;
    if (backend.mode === 'fail') {
      res.statusCode = 503;
      res.end('failing');
      return;
    }
    // `?delayMs=N` overrides the service time for one request.
    const override = /[?&]delayMs=(\d+)/.exec(req.url ?? '');
    const delayMs = override === null ? backend.delayMs : Number(override[1]);
    const serve = (): void => {
      setTimeout(() => {
        res.end(`ok ${req.method} ${req.url}`);
        release();
      }, delayMs);
    };
    req.resume();
    if (busy < concurrency) {
      busy++;
      serve();
    } else queue.push(serve);
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  backend.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  backend.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return backend;
}
