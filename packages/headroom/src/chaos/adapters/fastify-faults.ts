/**
 * fastify plugin for a {@link FaultInjector}: an `onRequest` hook decides per request, keyed by
 * the matched route's pattern (`/orders/:id`, not `/orders/17`), so a selector names routes the
 * way the application declares them. A fault delays the request, answers it (`error` 500,
 * `status` its code, `timeout` 504 after the wait, each with the rule in `x-headroom-chaos`),
 * hangs it until the client leaves, or resets the connection (`abort`). Registered without
 * encapsulation (the `skip-override` symbol, as fastify-plugin sets), so it covers every route of
 * the instance it is registered on.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InjectedFaultError } from '../errors.js';
import type { FaultInjector } from '../injector.js';
import { CHAOS_RULE_HEADER, injectedStatus, pathOf } from './http-handler.js';

/** Options of {@link fastifyFaults}. */
export interface FastifyFaultsOptions {
  /**
   * The key of a request. Default: the matched route's pattern (`request.routeOptions.url`), or
   * the path without the query when no route matched. E.g. `(r) => \`${r.method} ${r.routeOptions.url}\``.
   */
  readonly key?: (request: FastifyRequest) => string | undefined;
}

/** A fastify plugin function (callback style) that applies to the whole instance. */
export type FastifyFaultsPlugin = ((instance: FastifyInstance, opts: unknown, done: (err?: Error) => void) => void) & {
  readonly [key: symbol]: unknown;
};

/**
 * The injector as a fastify plugin.
 * @example
 * ```ts
 * const chaos = new FaultInjector({ faults: [{ status: 503, select: { keys: ['/orders/:id'] }, probability: 0.1 }] });
 * await app.register(fastifyFaults(chaos));
 * ```
 */
export function fastifyFaults(injector: FaultInjector, options: FastifyFaultsOptions = {}): FastifyFaultsPlugin {
  const keyOf = options.key ?? ((request: FastifyRequest) => request.routeOptions.url ?? pathOf(request.url));
  const plugin = (instance: FastifyInstance, _opts: unknown, done: (err?: Error) => void): void => {
    instance.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      const decision = injector.decide(keyOf(request));
      if (decision === undefined) return;
      const res = reply.raw;
      const gone = new AbortController();
      const onClose = (): void => {
        if (!res.writableEnded) gone.abort(new Error('client closed the connection'));
      };
      res.once('close', onClose);
      try {
        await injector.apply(decision, gone.signal);
      } catch (error) {
        if (!(error instanceof InjectedFaultError)) {
          reply.hijack(); // the client left: nothing to answer
          return;
        }
        if (error.kind === 'abort') {
          reply.hijack();
          request.raw.socket.destroy();
          return;
        }
        return reply
          .code(injectedStatus(error))
          .header('content-type', 'text/plain; charset=utf-8')
          .header(CHAOS_RULE_HEADER, decision.rule)
          .send(`${error.message}\n`);
      } finally {
        res.off('close', onClose);
      }
      return;
    });
    done();
  };
  return Object.assign(plugin, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: 'headroom-chaos' });
}
