/**
 * node:http middleware for {@link ConcurrencyLimiter}: wraps a request listener so each request
 * holds a permit from arrival until its response finishes (or the connection closes).
 * Rejections are answered by `shedResponse` (503 + Retry-After, 504, 400). The incoming deadline
 * (`headroom-timeout-ms` / `grpc-timeout`) bounds the wait in the limiter's queue.
 * Per request: one `close` listener; queued requests also get an AbortController.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { readDeadline, type ReadDeadlineOptions } from '../deadline-headers.js';
import type { ConcurrencyLimiter, Permit } from '../limiter.js';
import { outcomeOf, shedResponse } from './shed-response.js';

/** Options of {@link limitHttp}. */
export interface HttpLimiterOptions {
  /** A request's queue priority (larger first); default 0 for all. */
  readonly priority?: (req: IncomingMessage) => number;
  /** How to read the caller's deadline for the queue wait, or false to ignore it; default the standard headers. */
  readonly deadline?: false | Omit<ReadDeadlineOptions, 'clock' | 'signal'>;
}

/**
 * Wraps `handler` with the limiter.
 * @example
 * ```ts
 * const limiter = new ConcurrencyLimiter({ queueSize: 100 });
 * http.createServer(limitHttp(limiter, (req, res) => res.end('ok'))).listen(0);
 * ```
 */
export function limitHttp(limiter: ConcurrencyLimiter, handler: RequestListener, options: HttpLimiterOptions = {}): RequestListener {
  const priorityOf = options.priority;
  const deadlineOptions = options.deadline ?? {};
  const run = (permit: Permit, req: IncomingMessage, res: ServerResponse): void => {
    res.once('close', () => release(permit, res));
    try {
      const result = handler(req, res) as unknown;
      if (result instanceof Promise) result.catch(() => fail(res));
    } catch {
      fail(res);
    }
  };
  return (req, res) => {
    const permit = limiter.tryAcquire();
    if (permit !== undefined) {
      run(permit, req, res);
      return;
    }
    const abandon = new AbortController();
    const onClose = (): void => abandon.abort(new Error('client closed the connection while queued'));
    req.once('close', onClose);
    let deadline;
    try {
      deadline =
        deadlineOptions === false
          ? undefined
          : readDeadline(req.headers, { ...deadlineOptions, clock: limiter.clock, signal: abandon.signal });
    } catch (error) {
      req.off('close', onClose);
      reject(res, error);
      return;
    }
    limiter.acquire({ priority: priorityOf?.(req) ?? 0, signal: abandon.signal, deadline }).then(
      (granted) => {
        req.off('close', onClose);
        deadline?.dispose();
        run(granted, req, res);
      },
      (error: unknown) => {
        req.off('close', onClose);
        deadline?.dispose();
        reject(res, error);
      },
    );
  };
}

function release(permit: Permit, res: ServerResponse): void {
  permit.release(outcomeOf(res.statusCode, res.writableFinished));
}

function reject(res: ServerResponse, error: unknown): void {
  const answer = shedResponse(error);
  if (answer === undefined || res.destroyed) {
    res.destroy();
    return;
  }
  res.writeHead(answer.status, { ...answer.headers, 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
}

function fail(res: ServerResponse): void {
  if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
  else res.destroy();
}
