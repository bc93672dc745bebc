/**
 * Faults in a `node:http` request handler (works with any framework that exposes the raw
 * `(req, res)` listener, e.g. fastify's `serverFactory`, or as a plain server). The key a rule
 * selects by is the request path (without the query) unless you give `key`.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { isHeadroomError } from '../../core/errors.js';
import { InjectedFaultError } from '../errors.js';
import type { FaultInjector } from '../injector.js';

/** Header naming the rule on every response a fault wrote. */
export const CHAOS_RULE_HEADER = 'x-headroom-chaos';

/** Options of {@link faultyHandler}. */
export interface FaultyHandlerOptions {
  /** The key of a request (route, tenant, user). Default: its path without the query. */
  readonly key?: (req: IncomingMessage) => string | undefined;
}

/**
 * Wraps a request listener: a fault delays the request, answers it with an error status
 * (`error` 500, `status` its code, `timeout` 504 after the wait), hangs it until the client gives
 * up, or resets the connection (`abort`).
 * @example http.createServer(faultyHandler(app, new FaultInjector({ faults: [{ status: 503, probability: 0.05 }] })))
 */
export function faultyHandler(handler: RequestListener, injector: FaultInjector, options: FaultyHandlerOptions = {}): RequestListener {
  const keyOf = options.key ?? ((req: IncomingMessage) => pathOf(req.url));
  return (req: IncomingMessage, res: ServerResponse): void => {
    const decision = injector.decide(keyOf(req));
    if (decision === undefined) {
      handler(req, res);
      return;
    }
    const gone = new AbortController();
    const onClose = (): void => {
      if (!res.writableEnded) gone.abort(new Error('client closed the connection'));
    };
    res.once('close', onClose);
    injector.apply(decision, gone.signal).then(
      () => {
        res.off('close', onClose);
        handler(req, res);
      },
      (error: unknown) => {
        res.off('close', onClose);
        if (!isHeadroomError(error) || !(error instanceof InjectedFaultError)) return; // the client left
        if (error.kind === 'abort') {
          req.socket.destroy();
          return;
        }
        if (res.headersSent || res.destroyed) return;
        res.writeHead(injectedStatus(error), { 'content-type': 'text/plain; charset=utf-8', [CHAOS_RULE_HEADER]: decision.rule });
        res.end(`${error.message}\n`);
      },
    );
  };
}

/** The HTTP status an injected failure answers with: its own for `status`, 504 for `timeout`, 500 otherwise. */
export function injectedStatus(error: InjectedFaultError): number {
  return error.kind === 'status' ? error.status! : error.kind === 'timeout' ? 504 : 500;
}

/** A request URL's path without the query. */
export function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
