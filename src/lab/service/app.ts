/**
 * The reference service: a product-catalog HTTP API on fastify. Reads go through the phase's read
 * path (store only, naive cache-aside, or the cache module); writes go to the store and then drop
 * the cached copy. Faults (a slow replica, rare stalls) and the limiter are switched per phase.
 *
 * Routes: `GET /products/:id`, `GET /categories/:category/products?limit=N`,
 * `POST /products/:id/stock` with `{ "delta": n }`, `GET /healthz`.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { type Clock, sleep } from '../../core/clock.js';
import type { Random } from '../../core/random.js';
import { CATEGORIES } from './catalog-data.js';
import type { ReplicaPhaseConfig } from './protocol.js';
import type { ReadPath } from './read-path.js';
import type { CatalogStore } from './store.js';
import type { StoreGate } from './store-gate.js';

/** What the service runs with during one phase; swapped whole at each phase. */
export interface PhaseState {
  readonly config: ReplicaPhaseConfig;
  readonly gate: StoreGate;
  readonly read: ReadPath;
  readonly random: Random;
  /** Admission control for this phase, or null (see {@link Admission}). */
  readonly admission: Admission | null;
  readonly counters: MutableCounters;
}

/**
 * Admission control run first on every request: returns a release function when admitted (called
 * once when the response closes), or null when the request was rejected (the reply is then sent).
 */
export type Admission = (request: FastifyRequest, reply: FastifyReply) => Promise<(() => void) | null>;

/** Per-phase request counters, bumped by the routes. */
export interface MutableCounters {
  requests: number;
  reads: number;
  writes: number;
  readQueries: number;
  shed: number;
  stalls: number;
}

/** A fresh set of zeroed counters. */
export function zeroCounters(): MutableCounters {
  return { requests: 0, reads: 0, writes: 0, readQueries: 0, shed: 0, stalls: 0 };
}

declare module 'fastify' {
  interface FastifyRequest {
    labStartMs: number;
  }
}

const CATEGORY_SET = new Set(CATEGORIES);
const MAX_LIST = 100;

/**
 * Builds the fastify app over `store`; `state()` returns the current phase's state.
 * @param clock - times the slow-replica fault and stalls
 */
export function buildApp(store: CatalogStore, state: () => PhaseState, clock: Clock): FastifyInstance {
  const app = Fastify({ logger: false, keepAliveTimeout: 30_000 });
  app.decorateRequest('labStartMs', 0);

  app.addHook('onRequest', async (request, reply) => {
    const s = state();
    request.labStartMs = clock.now();
    s.counters.requests++;
    if (s.admission !== null) {
      const release = await s.admission(request, reply);
      if (release === null) {
        s.counters.shed++;
        return reply;
      }
      // 'close' fires once the response is sent or the client went away, so the slot is always returned.
      reply.raw.once('close', release);
    }
    const { stallProbability, stallMs } = s.config.faults;
    if (stallProbability > 0 && s.random.chance(stallProbability)) {
      s.counters.stalls++;
      await sleep(clock, stallMs);
    }
    return undefined;
  });

  app.addHook('onSend', async (request, _reply, payload) => {
    const factor = state().config.faults.slowFactor;
    if (factor > 1) await sleep(clock, (clock.now() - request.labStartMs) * (factor - 1));
    return payload;
  });

  app.get<{ Params: { id: string } }>('/products/:id', async (request, reply) => {
    const id = parseId(request.params.id);
    if (id === null) return reply.code(400).send({ error: 'id must be a positive integer' });
    const s = state();
    s.counters.reads++;
    const product = await s.read.read(id);
    if (product === undefined) return reply.code(404).send({ error: `no product ${id}` });
    return product;
  });

  app.get<{ Params: { category: string }; Querystring: { limit?: string } }>('/categories/:category/products', async (request, reply) => {
    const { category } = request.params;
    if (!CATEGORY_SET.has(category)) return reply.code(404).send({ error: `no category ${category}` });
    const limit = Math.min(MAX_LIST, Math.max(1, Number(request.query.limit ?? 20) || 20));
    const s = state();
    s.counters.reads++;
    s.counters.readQueries++;
    return s.gate.run(() => store.listCategory(category, limit), false);
  });

  app.post<{ Params: { id: string }; Body: { delta?: unknown } }>('/products/:id/stock', async (request, reply) => {
    const id = parseId(request.params.id);
    const delta = request.body?.delta;
    if (id === null || typeof delta !== 'number' || !Number.isInteger(delta)) {
      return reply.code(400).send({ error: 'POST /products/:id/stock takes a positive integer id and a JSON body {"delta": <integer>}' });
    }
    const s = state();
    s.counters.writes++;
    const hot = s.config.cache.hotKey?.id === id;
    const updated = await s.gate.run(() => store.adjustStock(id, delta, clock.wallNow()), hot);
    // Write to the store first, then drop the cached copy: the cache is never ahead of the store.
    await s.read.invalidate(id);
    if (updated === undefined) return reply.code(404).send({ error: `no product ${id}` });
    return updated;
  });

  app.get('/healthz', async () => ({ ok: true }));
  return app;
}

function parseId(raw: string): number | null {
  const id = Number(raw);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}
