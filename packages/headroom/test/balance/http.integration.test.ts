/**
 * Integration over loopback HTTP with real servers: the undici dispatcher under `fetch` and
 * `undici.request`, P2C + peak-EWMA against a 10× slower server, ejection and readmission of a
 * failing one, and an HTTP health probe. Real time, real sockets; a few seconds in all.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { fetch as undiciFetch, request } from 'undici';
import { SeededRandom } from '../../src/core/random.js';
import { isHeadroomError } from '../../src/core/errors.js';
import {
  BalancedDispatcher,
  hashAffinity,
  httpProbe,
  outstanding,
  p2c,
  peakEwma,
  roundRobin,
  type BalanceEvent,
  Balancer,
  type BalancerOptions,
} from '../../src/balance/index.js';
import { startHttpBackend, type HttpBackend as Backend } from '../support/http-backend.js';

const SERVICE = 'http://service.internal';
const open: Array<{ close(): unknown }> = [];
after(async () => {
  for (const x of open.reverse()) await x.close();
});

async function backends(...delays: number[]): Promise<Backend[]> {
  const list = await Promise.all(delays.map((d) => startHttpBackend({ serviceMs: d })));
  open.push(...list);
  return list;
}

function balanced(list: Backend[], options: BalancerOptions<string>): { balancer: Balancer; dispatcher: BalancedDispatcher } {
  const balancer = new Balancer({ endpoints: list.map((b) => b.origin), random: new SeededRandom(42), ...options });
  const dispatcher = new BalancedDispatcher(balancer);
  assert.ok(dispatcher instanceof BalancedDispatcher);
  open.push(balancer, dispatcher);
  return { balancer, dispatcher };
}

/** `total` GETs through the dispatcher, `concurrency` at a time (closed loop). */
async function load(dispatcher: BalancedDispatcher, total: number, concurrency: number): Promise<number[]> {
  const statuses: number[] = [];
  let sent = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (sent < total) {
        sent++;
        const res = await request(`${SERVICE}/work`, { dispatcher });
        await res.body.dump();
        statuses.push(res.statusCode);
      }
    }),
  );
  return statuses;
}

test('the dispatcher balances fetch() and undici.request() across real origins, keeping path, method and body', async () => {
  const list = await backends(1, 1, 1);
  const { dispatcher } = balanced(list, { picker: roundRobin(), load: outstanding(), outlier: false });
  // Node's global fetch (its bundled undici, typed by @types/node's undici-types) — no cast: the
  // dispatcher's type is also the global fetch's — and undici 7's own fetch.
  for (let k = 0; k < 9; k++) {
    const res = await fetch(`${SERVICE}/items/${k}?q=1`, { dispatcher });
    assert.equal(await res.text(), `ok GET /items/${k}?q=1`);
  }
  for (let k = 0; k < 6; k++) {
    const res = await undiciFetch(`${SERVICE}/items/${k}`, { dispatcher });
    assert.equal(await res.text(), `ok GET /items/${k}`);
  }
  for (let k = 0; k < 15; k++) {
    const res = await request(`${SERVICE}/items`, { dispatcher, method: 'POST', body: JSON.stringify({ k }) });
    assert.equal(await res.body.text(), 'ok POST /items');
  }
  assert.deepEqual(
    list.map((b) => b.hits),
    [10, 10, 10],
  );
});

test('P2C + peak-EWMA sends < 10 % to a 10× slower server; round-robin sends it 1/3', async () => {
  // 10 ms vs 100 ms: large enough that event-loop lag on a busy shared machine (which the client
  // measures as part of every RTT) does not shrink the observed 10× gap. decayMs 1 s rather than
  // the 10 s default: peak-EWMA remembers a spike for ~τ·ln(spike/rtt), and a cold connection's
  // first request on a loaded machine can take 60 ms+, which a 2-second test would never forget.
  const slowShare = async (picker: 'p2c' | 'rr', n: number, concurrency: number): Promise<number> => {
    const list = await backends(10, 10, 100);
    const { dispatcher } = balanced(
      list,
      picker === 'p2c' ? { picker: p2c(), load: peakEwma({ decay: 1_000 }) } : { picker: roundRobin(), load: outstanding() },
    );
    await load(dispatcher, 12, 2); // warm-up: open the connections (not counted)
    const before = list[2]!.hits;
    const statuses = await load(dispatcher, n, concurrency);
    assert.ok(statuses.every((s) => s === 200));
    return (list[2]!.hits - before) / n;
  };
  const p2cShare = await slowShare('p2c', 200, 2);
  const rrShare = await slowShare('rr', 150, 6);
  assert.ok(p2cShare < 0.1, `P2C + peak-EWMA sent ${(p2cShare * 100).toFixed(1)} % to the slow server`);
  assert.ok(Math.abs(rrShare - 1 / 3) <= 1 / 150, `round-robin sent ${(rrShare * 100).toFixed(1)} %`);
});

test('a server that starts failing is ejected after the configured consecutive failures and readmitted once it recovers', async () => {
  const list = await backends(2, 2, 2);
  const failing = list[2]!;
  // A short decay window: with the default 10 s, a replica whose cold first request was the
  // slowest keeps the highest cost for seconds and may get no traffic at all in a short test.
  const { balancer, dispatcher } = balanced(list, {
    picker: p2c(),
    load: peakEwma({ decay: 200 }),
    outlier: { consecutiveErrors: 3, ejectionBackoff: { initial: 400 }, successRate: false, maxEjectionPercent: 34 },
  });
  const events: BalanceEvent[] = [];
  balancer.on((e) => {
    if (e.type === 'ejection' || e.type === 'readmission') events.push(e);
  });
  await load(dispatcher, 30, 1);
  failing.mode = 'fail';
  const failuresBefore = failing.hits;
  let statuses: number[] = [];
  for (let k = 0; k < 200 && events.length === 0; k++) statuses = statuses.concat(await load(dispatcher, 1, 1));
  assert.equal(events.length, 1, 'ejected');
  const ejection = events[0]!;
  assert.ok(ejection.type === 'ejection' && ejection.endpoint.id === failing.origin && ejection.reason === 'consecutive-errors');
  assert.equal(failing.hits - failuresBefore, 3, 'exactly the configured 3 failures reached it');
  assert.equal(statuses.filter((s) => s === 503).length, 3);
  const hitsWhileEjected = failing.hits;
  await load(dispatcher, 40, 2);
  assert.equal(failing.hits, hitsWhileEjected, 'no traffic while ejected');
  failing.mode = 'ok';
  await new Promise<void>((resolve) => {
    const sub = balancer.on((e) => {
      if (e.type === 'readmission') {
        sub.dispose();
        resolve();
      }
    });
  });
  assert.equal(events.at(-1)!.type, 'readmission');
  const hitsAtReadmission = failing.hits;
  const after = await load(dispatcher, 60, 2);
  assert.ok(after.every((s) => s === 200));
  assert.ok(failing.hits > hitsAtReadmission, 'it takes traffic again');
  assert.equal(events.length, 2, 'not ejected again');
});

test('httpProbe: a real /health endpoint turning 503 makes the origin unhealthy, then healthy again', async () => {
  const list = await backends(1, 1);
  const { balancer } = balanced(list, {
    picker: roundRobin(),
    load: outstanding(),
    outlier: false,
    health: {
      probe: httpProbe({ path: '/health' }),
      interval: 30,
      jitterPercent: 0,
      timeout: 500,
      unhealthyThreshold: 2,
      healthyThreshold: 2,
    },
  });
  const flips: string[] = [];
  const flipped = (n: number) =>
    new Promise<void>((resolve) => {
      const sub = balancer.on((e) => {
        if (e.type !== 'health') return;
        flips.push(`${e.healthy ? 'healthy' : 'unhealthy'}${e.error === undefined ? '' : ` ${(e.error as { code?: string }).code}`}`);
        if (flips.length === n) {
          sub.dispose();
          resolve();
        }
      });
    });
  list[1]!.mode = 'fail';
  await flipped(1);
  assert.deepEqual(flips, ['unhealthy HR_BALANCE_PROBE_FAILED']);
  assert.deepEqual(new Set(Array.from({ length: 6 }, () => balancer.pick()!.id)), new Set([list[0]!.origin]));
  list[1]!.mode = 'ok';
  await flipped(2);
  assert.deepEqual(flips, ['unhealthy HR_BALANCE_PROBE_FAILED', 'healthy']);
});

test('hash affinity through the dispatcher: keyOf reads a header, the same key reaches the same origin', async () => {
  const list = await backends(1, 1, 1);
  const { dispatcher } = balanced(list, {
    picker: hashAffinity(),
    load: outstanding(),
    outlier: false,
  });
  const keyed = new BalancedDispatcher(new Balancer({ endpoints: list.map((b) => b.origin), picker: hashAffinity(), outlier: false }), {
    keyOf: (options) => {
      const headers = options.headers as Record<string, string> | undefined;
      return headers?.['x-user'];
    },
  });
  open.push(keyed);
  const originOf = async (user: string): Promise<string> => {
    const res = await request(`${SERVICE}/cart`, { dispatcher: keyed, headers: { 'x-user': user } });
    await res.body.dump();
    return String(res.headers['x-origin']);
  };
  for (const user of ['u1', 'u2', 'u3', 'u4', 'u5']) {
    const first = await originOf(user);
    for (let k = 0; k < 3; k++) assert.equal(await originOf(user), first, user);
  }
  // Without a key the picker cannot place the request: the error reaches the caller.
  await assert.rejects(request(`${SERVICE}/cart`, { dispatcher }), (e) => isHeadroomError(e, 'HR_BALANCE_KEY_REQUIRED'));
});

test('draining an origin over real HTTP: its in-flight response completes, new requests go elsewhere, then it leaves', async () => {
  const list = await backends(1, 1);
  const { balancer, dispatcher } = balanced(list, { picker: roundRobin(), load: outstanding(), outlier: false });
  const slowRequest = request(`${SERVICE}/long?delayMs=400`, { dispatcher });
  const busy = balancer.snapshot().endpoints.find((e) => e.outstanding === 1)!;
  const other = list.find((b) => b.origin !== busy.id)!;
  let drained = false;
  const drain = balancer.drain(busy.id).then(() => {
    drained = true;
  });
  const hitsBefore = other.hits;
  for (let k = 0; k < 5; k++) await (await request(`${SERVICE}/short`, { dispatcher })).body.dump();
  assert.equal(other.hits - hitsBefore, 5);
  assert.equal(drained, false, 'still draining while its request runs');
  const res = await slowRequest;
  assert.equal(await res.body.text(), 'ok GET /long?delayMs=400');
  await drain;
  assert.deepEqual(
    balancer.endpoints().map((e) => e.id),
    [other.origin],
  );
});
