/**
 * The {@link LoadReporter} on an HTTP server: answers probes on a dedicated path (JSON
 * {@link LoadReport}) and piggybacks the same report on every other response as the
 * `x-headroom-load` header, set just before the headers go out so it reflects the server's state
 * when it answered. Two doors: `loadReporterHandler` for node:http (call it first in your
 * request listener) and `fastifyLoadReporter` (register it as a plugin; it is not encapsulated, so
 * its hooks see every route). Neither imports a framework: fastify is typed structurally.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TimerHandle } from '../../core/clock.js';
import { parsePositiveDuration, type Duration } from '../../core/duration.js';
import { formatLoadReport, LOAD_HEADER, LOAD_PROBE_PATH } from '../probe/load-report.js';
import type { LoadReporter, RequestTicket } from '../probe/reporter.js';
import { invalidOption } from '../options.js';

/** Options of the HTTP reporter adapters. */
export interface LoadReporterHttpOptions {
  /** Path that answers probes (GET, any query string); default `'/.headroom/load'`. */
  readonly path?: string;
  /** Add the `x-headroom-load` header to other responses; default true. */
  readonly piggyback?: boolean;
  /**
   * A request whose client hung up (a hedge's or a tied request's loser, cancelled) stays counted
   * in flight while its handler works — until the handler ends the response (node:http) or replies
   * (fastify's `onSend`), for at most this long (a handler that never does cannot keep its
   * count); ms or '30s', default 30 s.
   */
  readonly abandonedHold?: Duration;
}

function resolvePath(options: LoadReporterHttpOptions): string {
  const path = options.path ?? LOAD_PROBE_PATH;
  if (!path.startsWith('/')) throw invalidOption('loadReporter.path', path, "use an absolute path such as '/.headroom/load'");
  return path;
}

function isProbe(url: string | undefined, path: string): boolean {
  if (url === undefined || !url.startsWith(path)) return false;
  return url.length === path.length || url[path.length] === '?';
}

/**
 * A node:http request hook: returns true when it answered a probe itself (do nothing more), false
 * otherwise — then the request is counted in flight until its response finishes, and its
 * response carries the header. When the client hangs up first, the request stays counted until
 * the handler ends the response (`res.end()`: its work is done), or `abandonedHold` passes.
 * @throws HR_BALANCE_INVALID_OPTION when `path` does not start with `/`; HR_CORE_INVALID_DURATION
 *   for a bad `abandonedHold`
 * @example
 * ```ts
 * const reporter = new LoadReporter();
 * const onLoad = loadReporterHandler(reporter);
 * createServer((req, res) => { if (onLoad(req, res)) return; … your handler … });
 * ```
 */
export function loadReporterHandler(
  reporter: LoadReporter,
  options: LoadReporterHttpOptions = {},
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const path = resolvePath(options);
  const piggyback = options.piggyback ?? true;
  const holdMs = parsePositiveDuration(options.abandonedHold, 'loadReporter.abandonedHold', 30_000);
  const clock = reporter.clock;
  return (req, res) => {
    if (isProbe(req.url, path)) {
      const body = JSON.stringify(reporter.report());
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return true;
    }
    const ticket = reporter.begin();
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      reporter.end(ticket);
    };
    res.once('finish', finish);
    res.once('close', () => {
      if (done || res.writableEnded) return finish();
      // The client hung up while the handler still works (its work still loads the server): count
      // the request until the handler ends the response, for at most `abandonedHold`.
      const hold = clock.setTimer(holdMs, finish);
      const end = res.end;
      res.end = function (this: ServerResponse, ...args: unknown[]) {
        hold.cancel();
        finish();
        return (end as (...a: unknown[]) => ServerResponse).apply(this, args);
      } as ServerResponse['end'];
    });
    if (piggyback) {
      const writeHead = res.writeHead;
      // Set the header at the last moment (the report then reflects the state when answering).
      res.writeHead = function (this: ServerResponse, ...args: Parameters<ServerResponse['writeHead']>) {
        if (!this.headersSent) this.setHeader(LOAD_HEADER, formatLoadReport(reporter.report()));
        return writeHead.apply(this, args);
      } as ServerResponse['writeHead'];
    }
    return false;
  };
}

/** The slice of fastify's API the plugin uses (typed structurally: headroom does not depend on fastify). */
export interface FastifyLike {
  addHook(name: 'onRequest', hook: (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<void>): unknown;
  addHook(name: 'onSend', hook: (request: FastifyRequestLike, reply: FastifyReplyLike, payload: unknown) => Promise<unknown>): unknown;
  addHook(name: 'onResponse' | 'onRequestAbort', hook: (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<void>): unknown;
  get(path: string, handler: (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<unknown>): unknown;
}
/** The request fields the plugin reads. */
export interface FastifyRequestLike {
  readonly url: string;
}
/** The reply methods the plugin calls. */
export interface FastifyReplyLike {
  header(name: string, value: string): unknown;
}

/** A fastify plugin (callback style, marked to skip encapsulation as `fastify-plugin` would). */
export type FastifyLoadReporterPlugin = ((fastify: FastifyLike, options: unknown, done: (error?: Error) => void) => void) & {
  readonly [key: symbol]: unknown;
};

/** A fastify request's count, and its hold once its client hung up. */
interface Counted {
  readonly ticket: RequestTicket;
  hold: TimerHandle | undefined;
  /** The handler replied (`onSend`): its work is done, whatever becomes of the response. */
  replied: boolean;
}

const ticketOf = new WeakMap<object, Counted>();

/**
 * The reporter as a fastify plugin: `GET <path>` answers probes; every other request is counted
 * from `onRequest` to `onResponse`, and `onSend` adds the header. When the client hangs up first
 * (`onRequestAbort`; fastify then never runs `onResponse`), the request stays counted until its
 * handler replies (`onSend`), or `abandonedHold` passes — as node:http's {@link loadReporterHandler}.
 * @throws HR_BALANCE_INVALID_OPTION when `path` does not start with `/`; HR_CORE_INVALID_DURATION
 *   for a bad `abandonedHold`
 * @example await app.register(fastifyLoadReporter(new LoadReporter()));
 */
export function fastifyLoadReporter(reporter: LoadReporter, options: LoadReporterHttpOptions = {}): FastifyLoadReporterPlugin {
  const path = resolvePath(options);
  const piggyback = options.piggyback ?? true;
  const holdMs = parsePositiveDuration(options.abandonedHold, 'loadReporter.abandonedHold', 30_000);
  const clock = reporter.clock;
  const plugin = (fastify: FastifyLike, _options: unknown, done: (error?: Error) => void): void => {
    fastify.get(path, async (_request, reply) => {
      reply.header('cache-control', 'no-store');
      return reporter.report();
    });
    fastify.addHook('onRequest', async (request) => {
      if (!isProbe(request.url, path)) ticketOf.set(request, { ticket: reporter.begin(), hold: undefined, replied: false });
    });
    const finish = async (request: FastifyRequestLike): Promise<void> => {
      const counted = ticketOf.get(request);
      if (counted === undefined) return;
      ticketOf.delete(request);
      counted.hold?.cancel();
      reporter.end(counted.ticket);
    };
    fastify.addHook('onSend', async (request, reply, payload) => {
      const counted = ticketOf.get(request);
      if (counted === undefined) return payload;
      counted.replied = true;
      // the handler of an abandoned request replied: its work is done
      if (counted.hold !== undefined) await finish(request);
      else if (piggyback) reply.header(LOAD_HEADER, formatLoadReport(reporter.report()));
      return payload;
    });
    fastify.addHook('onResponse', finish);
    fastify.addHook('onRequestAbort', async (request) => {
      const counted = ticketOf.get(request);
      if (counted === undefined || counted.hold !== undefined) return;
      // Hung up after the reply was sent: the work is done (fastify will not run onResponse).
      if (counted.replied) return finish(request);
      // The client hung up while the handler still works (its work still loads the server): count
      // the request until the handler replies, for at most `abandonedHold`.
      counted.hold = clock.setTimer(holdMs, () => void finish(request));
    });
    done();
  };
  return Object.assign(plugin, {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: 'headroom-load-reporter',
  });
}
