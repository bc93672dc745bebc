/**
 * The reference service: a product-catalog HTTP API on fastify. A fresh fastify app is built for
 * every phase — with headroom/latency's `fastifyLimiter` plugin registered when the phase sheds
 * load — while one node:http server keeps listening and hands each request to the current app
 * (fastify's `serverFactory`), so clients keep their connections across phases.
 *
 * Reads go through the phase's read path (store only, naive cache-aside, or headroom/cache);
 * writes go to the store and then drop the cached copy. Stalls come after admission control, as a
 * slow dependency would; a slow replica is one whose store round trip is longer (see replica.ts).
 *
 * Routes: `GET /products/:id`, `GET /categories/:category/products?limit=N`,
 * `POST /products/:id/stock` with `{ "delta": n }`, `GET /healthz`.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import { type Clock, sleep, type Random } from 'headroom';
import { type ConcurrencyLimiter, fastifyLimiter } from 'headroom/latency';
import { CATEGORIES } from './catalog-data.js';
import type { ReplicaPhaseConfig } from './protocol.js';
import type { ReadPath } from './read-path.js';
import type { CatalogStore } from './store.js';
import type { StoreGate } from './store-gate.js';

/** What the service runs with during one phase. */
export interface PhaseState {
  readonly config: ReplicaPhaseConfig;
  readonly gate: StoreGate;
  readonly read: ReadPath;
  readonly random: Random;
  /** The phase's admission control, or null. */
  readonly limiter: ConcurrencyLimiter | null;
  readonly counters: MutableCounters;
}

/** Per-phase request counters, bumped by the routes. */
export interface MutableCounters {
  requests: number;
  reads: number;
  writes: number;
  readQueries: number;
  stalls: number;
  /** Stalls whose caller hung up before they ended, by number (0-based, in the order they began). */
  abandonedStalls: number[];
}

/** A fresh set of zeroed counters. */
export function zeroCounters(): MutableCounters {
  return { requests: 0, reads: 0, writes: 0, readQueries: 0, stalls: 0, abandonedStalls: [] };
}

/** Node's request listener signature, as fastify hands it to `serverFactory`. */
export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => void;

const CATEGORY_SET = new Set(CATEGORIES);
const MAX_LIST = 100;

/**
 * Builds and readies the phase's fastify app over `store`.
 * @returns the app and its request handler, to be served by the replica's listening server
 */
export async function buildPhaseApp(
  store: CatalogStore,
  state: PhaseState,
  clock: Clock,
): Promise<{ app: FastifyInstance; handler: RequestHandler }> {
  let handler: RequestHandler | null = null;
  // The server fastify gets is never listened on: the replica's own server forwards to `handler`.
  const app = Fastify({
    logger: false,
    serverFactory: (h) => {
      handler = h;
      return createServer();
    },
  });
  const { counters, config } = state;
  app.addHook('onRequest', async () => {
    counters.requests++;
  });
  if (state.limiter !== null) await app.register(fastifyLimiter(state.limiter));
  const { stallProbability, stallMs } = config.faults;
  if (stallProbability > 0) {
    app.addHook('onRequest', async (_request, reply) => {
      if (!state.random.chance(stallProbability)) return;
      const stall = counters.stalls++;
      // A response that closes before it was sent lost its connection: the caller hung up (a hedge
      // answered first, or its deadline passed). Noted by number, so the lab can tell which of a
      // window's stalls were abandoned, whenever that happened.
      const hungUp = (): void => {
        counters.abandonedStalls.push(stall);
      };
      reply.raw.once('close', hungUp);
      try {
        await sleep(clock, stallMs);
      } finally {
        reply.raw.off('close', hungUp);
      }
    });
  }

  app.get<{ Params: { id: string } }>('/products/:id', async (request, reply) => {
    const id = parseId(request.params.id);
    if (id === null) return reply.code(400).send({ error: 'id must be a positive integer' });
    counters.reads++;
    const product = await state.read.read(id);
    if (product === undefined) return reply.code(404).send({ error: `no product ${id}` });
    return product;
  });

  app.get<{ Params: { category: string }; Querystring: { limit?: string } }>('/categories/:category/products', async (request, reply) => {
    const { category } = request.params;
    if (!CATEGORY_SET.has(category)) return reply.code(404).send({ error: `no category ${category}` });
    const limit = Math.min(MAX_LIST, Math.max(1, Number(request.query.limit ?? 20) || 20));
    counters.reads++;
    counters.readQueries++;
    return state.gate.run(() => store.listCategory(category, limit), false);
  });

  app.post<{ Params: { id: string }; Body: { delta?: unknown } }>('/products/:id/stock', async (request, reply) => {
    const id = parseId(request.params.id);
    const delta = request.body?.delta;
    if (id === null || typeof delta !== 'number' || !Number.isInteger(delta)) {
      return reply.code(400).send({ error: 'POST /products/:id/stock takes a positive integer id and a JSON body {"delta": <integer>}' });
    }
    counters.writes++;
    const updated = await state.gate.run(() => store.adjustStock(id, delta, clock.wallNow()), config.cache.hotKey?.id === id);
    // Write to the store first, then drop the cached copy: the cache is never ahead of the store.
    await state.read.invalidate(id);
    if (updated === undefined) return reply.code(404).send({ error: `no product ${id}` });
    return updated;
  });

  app.get('/healthz', async () => ({ ok: true }));
  await app.ready();
  return { app, handler: handler! };
}

function parseId(raw: string): number | null {
  const id = Number(raw);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}
