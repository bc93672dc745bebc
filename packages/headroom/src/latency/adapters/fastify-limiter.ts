/**
 * fastify plugin for {@link ConcurrencyLimiter}: an `onRequest` hook takes a permit (or answers
 * 503/504/400 through `shedResponse`), `onResponse` and `onRequestAbort` give it back with the
 * outcome. Registered without encapsulation (the `skip-override` symbol, as fastify-plugin sets),
 * so it guards every route of the instance it is registered on.
 */
import type { Outcome } from '../../core/outcome.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readDeadline, type ReadDeadlineOptions } from '../deadline-headers.js';
import type { ConcurrencyLimiter, Permit } from '../limiter.js';
import { outcomeOf, shedResponse } from './shed-response.js';

/** Options of {@link fastifyLimiter}. */
export interface FastifyLimiterOptions {
  /** A request's queue priority (larger first); default 0 for all. */
  readonly priority?: (request: FastifyRequest) => number;
  /** How to read the caller's deadline for the queue wait, or false to ignore it; default the standard headers. */
  readonly deadline?: false | Omit<ReadDeadlineOptions, 'clock' | 'signal'>;
}

/** A fastify plugin function (callback style) that applies to the whole instance. */
export type FastifyLimiterPlugin = ((instance: FastifyInstance, opts: unknown, done: (err?: Error) => void) => void) & {
  readonly [key: symbol]: unknown;
};

/**
 * The limiter as a fastify plugin.
 * @example
 * ```ts
 * const app = Fastify();
 * await app.register(fastifyLimiter(new ConcurrencyLimiter({ queueSize: 100 })));
 * app.get('/', async () => 'ok');
 * ```
 */
export function fastifyLimiter(limiter: ConcurrencyLimiter, options: FastifyLimiterOptions = {}): FastifyLimiterPlugin {
  const permits = new WeakMap<FastifyRequest, Permit>();
  const deadlineOptions = options.deadline ?? {};
  const release = (request: FastifyRequest, outcome: Outcome): void => {
    const permit = permits.get(request);
    if (permit === undefined) return;
    permits.delete(request);
    permit.release(outcome);
  };
  const plugin = (instance: FastifyInstance, _opts: unknown, done: (err?: Error) => void): void => {
    instance.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      const fast = limiter.tryAcquire();
      if (fast !== undefined) {
        permits.set(request, fast);
        return;
      }
      let deadline;
      try {
        deadline = deadlineOptions === false ? undefined : readDeadline(request.headers, { ...deadlineOptions, clock: limiter.clock });
        permits.set(request, await limiter.acquire({ priority: options.priority?.(request) ?? 0, deadline }));
      } catch (error) {
        const answer = shedResponse(error);
        if (answer === undefined) throw error;
        return reply.code(answer.status).headers(answer.headers).send(answer.body);
      } finally {
        deadline?.dispose();
      }
      return;
    });
    instance.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, next: () => void) => {
      release(request, outcomeOf(reply.statusCode, true));
      next();
    });
    instance.addHook('onRequestAbort', (request: FastifyRequest, next: () => void) => {
      release(request, 'failure');
      next();
    });
    done();
  };
  // What fastify-plugin does: register into the parent context instead of a child one.
  return Object.assign(plugin, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: 'headroom-limiter' });
}
