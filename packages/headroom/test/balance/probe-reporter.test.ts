/**
 * The server half of probing: LoadReporter's RIF count and per-RIF latency median on a virtual
 * clock, the header format, and both HTTP adapters on real loopback servers (node:http and
 * fastify): the probe path answers JSON, other responses carry the header, requests in flight
 * are counted while they run.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { request } from 'undici';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import {
  fastifyLoadReporter,
  formatLoadReport,
  LOAD_HEADER,
  LOAD_PROBE_PATH,
  loadReporterHandler,
  LoadReporter,
  parseLoadReport,
} from '../../src/balance/index.js';
import { isHeadroomError } from '../../src/core/errors.js';

const closers: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const close of closers.reverse()) await close();
});

test('RIF counts requests between begin and end; the latency estimate is the median at the current RIF', async () => {
  const clock = new VirtualClock();
  const reporter = new LoadReporter({ clock, minSamples: 3 });
  assert.deepEqual(reporter.report(), { rif: 0, latencyMs: 0, serviceMs: 0 });
  // Three requests that arrive alone (RIF 0 on arrival) taking 10, 30, 20 ms.
  for (const ms of [10, 30, 20]) {
    const t = reporter.begin();
    assert.equal(reporter.rif, 1);
    await clock.advanceBy(ms);
    reporter.end(t);
  }
  assert.equal(reporter.rif, 0);
  assert.equal(reporter.estimateMs(), 20, 'median of 10, 30, 20 at RIF 0');
  // Three that arrive behind one another (RIF 1 on arrival) taking 100 ms each.
  const blocker = reporter.begin();
  for (let k = 0; k < 3; k++) {
    const t = reporter.begin();
    await clock.advanceBy(100);
    reporter.end(t);
  }
  assert.equal(reporter.rif, 1);
  assert.equal(reporter.estimateMs(), 100, 'at RIF 1 the RIF-1 samples decide');
  reporter.end(blocker); // arrived at RIF 0 and took 300 ms: level 0 is now {10, 30, 20, 300}
  assert.equal(reporter.estimateMs(), 25, 'back at RIF 0: the median of four samples');
});

test('an RIF level with too few samples borrows from its neighbours (below first)', async () => {
  const clock = new VirtualClock();
  const reporter = new LoadReporter({ clock, minSamples: 2 });
  const first = reporter.begin(); // arrives at RIF 0
  const second = reporter.begin(); // arrives at RIF 1
  await clock.advanceBy(8);
  reporter.end(first); // 8 ms at level 0
  await clock.advanceBy(4);
  reporter.end(second); // 12 ms at level 1
  // Now at RIF 2 (nothing recorded there): gathers level 1, then levels 0 and 3 → {12, 8}.
  const held = [reporter.begin(), reporter.begin()];
  assert.equal(reporter.rif, 2);
  assert.equal(reporter.estimateMs(), 10);
  for (const t of held) reporter.end(t);
});

test('each level keeps only its most recent samples', async () => {
  const clock = new VirtualClock();
  const reporter = new LoadReporter({ clock, samplesPerLevel: 2, minSamples: 1 });
  for (const ms of [100, 5, 7]) {
    const t = reporter.begin();
    await clock.advanceBy(ms);
    reporter.end(t);
  }
  assert.equal(reporter.estimateMs(), 6, 'the 100 ms sample was overwritten');
  assert.equal(reporter.completed, 3);
});

test('the header round-trips and malformed values are ignored', () => {
  const report = { rif: 3, latencyMs: 12.5, serviceMs: 4.25 };
  assert.equal(formatLoadReport(report), 'rif=3;latency=12.5;service=4.25');
  assert.deepEqual(parseLoadReport(formatLoadReport(report)), report);
  assert.deepEqual(parseLoadReport({ rif: 1, latencyMs: 2, serviceMs: 3 }), { rif: 1, latencyMs: 2, serviceMs: 3 });
  assert.equal(parseLoadReport('rif=3;latency=abc;service=1'), undefined);
  assert.equal(parseLoadReport('rif=-1;latency=1;service=1'), undefined);
  assert.equal(parseLoadReport(undefined), undefined);
  assert.equal(parseLoadReport({ rif: 1 }), undefined);
});

test('bad options are refused with the option named', () => {
  assert.throws(
    () => new LoadReporter({ samplesPerLevel: 0 }),
    (e: unknown) => isHeadroomError(e, 'HR_BALANCE_INVALID_OPTION') && /samplesPerLevel/.test(String(e)),
  );
  assert.throws(() => loadReporterHandler(new LoadReporter(), { path: 'load' }), /loadReporter\.path/);
});

/** Requests to /work also wait for this (a test holds them in flight until it has probed them). */
let held: Promise<void> = Promise.resolve();

/** `ms` of real time, and until `held` opens. */
function work(ms: number): Promise<unknown> {
  return Promise.all([new Promise((resolve) => setTimeout(resolve, ms)), held]);
}

/** A node:http server whose requests take `?ms=N` (real timers: this is the server under test). */
async function nodeServer(reporter: LoadReporter): Promise<string> {
  const onLoad = loadReporterHandler(reporter);
  const server: Server = createServer((req, res) => {
    if (onLoad(req, res)) return;
    const ms = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('ms') ?? 0);
    void work(ms).then(() => res.end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function fastifyServer(reporter: LoadReporter): Promise<string> {
  const app = Fastify();
  await app.register(fastifyLoadReporter(reporter));
  app.get('/work', async (req) => {
    const ms = Number((req.query as Record<string, string>)['ms'] ?? 0);
    await work(ms);
    return 'ok';
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  closers.push(() => app.close());
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

for (const [name, start] of [
  ['node:http', nodeServer],
  ['fastify', fastifyServer],
] as const) {
  test(`${name}: probe path answers the report; responses piggyback it; RIF counts requests in flight`, async () => {
    const reporter = new LoadReporter();
    const origin = await start(reporter);
    const idle = await request(`${origin}${LOAD_PROBE_PATH}`);
    assert.equal(idle.statusCode, 200);
    assert.deepEqual(parseLoadReport(await idle.body.json()), { rif: 0, latencyMs: 0, serviceMs: 0 });
    assert.equal(idle.headers[LOAD_HEADER], undefined, 'the probe itself is not a request in flight');

    // Three slow requests in flight, then a probe sees them (they are held until it has: on a
    // busy machine 300 ms can pass before the probe is read).
    let release!: () => void;
    held = new Promise((resolve) => (release = resolve));
    const slow = Array.from({ length: 3 }, () => request(`${origin}/work?ms=300`));
    for (let k = 0; k < 200 && reporter.rif < 3; k++) await new Promise((resolve) => setImmediate(resolve));
    while (reporter.rif < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    let report: ReturnType<typeof parseLoadReport>;
    try {
      const busy = await request(`${origin}${LOAD_PROBE_PATH}?from=test`);
      report = parseLoadReport(await busy.body.json());
    } finally {
      release();
    }
    assert.equal(report?.rif, 3);
    const answers = await Promise.all(slow);
    for (const res of answers) {
      const header = parseLoadReport(res.headers[LOAD_HEADER]);
      assert.ok(header !== undefined, `header present: ${String(res.headers[LOAD_HEADER])}`);
      assert.ok(header.rif >= 1 && header.rif <= 3, `rif while answering ${header.rif}`);
      assert.equal(await res.body.text(), 'ok');
    }
    while (reporter.rif > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(reporter.completed, 3);
    const after = parseLoadReport(await (await request(`${origin}${LOAD_PROBE_PATH}`)).body.json());
    assert.ok(after !== undefined && after.latencyMs >= 290, `estimate after three 300 ms requests: ${after?.latencyMs}`);
  });
}

/** Polls (5 ms) until `condition` holds; fails after 30 s. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    assert.ok(Date.now() < deadline, `${what} within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * A real client that sends `GET /work` to `port` and hangs up before the answer: once the handler
 * has the request (`working` grew), and until the server saw the hang-up (`seen` grew).
 */
async function hangUpOn(port: number, working: readonly unknown[], seen: readonly unknown[]): Promise<void> {
  const before = working.length;
  const socket = connect(port, '127.0.0.1', () => socket.write('GET /work HTTP/1.1\r\nHost: localhost\r\n\r\n'));
  await until(() => working.length > before, 'the request reached the handler');
  socket.destroy();
  await until(() => seen.length > before, 'the server saw the hang-up');
}

test('node:http: a request whose client hung up stays in flight until its handler ends the response, at most abandonedHold', async () => {
  const clock = new VirtualClock();
  const reporter = new LoadReporter({ clock });
  const onLoad = loadReporterHandler(reporter, { abandonedHold: '10s' });
  const working: ServerResponse[] = [];
  const rifAtClose: number[] = [];
  const server = createServer((req, res) => {
    if (onLoad(req, res)) return;
    res.once('close', () => rifAtClose.push(reporter.rif)); // after the adapter's own listener
    working.push(res); // the handler works on; the test ends the response when it is "done"
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  const { port } = server.address() as AddressInfo;
  const hangUp = (): Promise<void> => hangUpOn(port, working, rifAtClose);

  await hangUp();
  assert.deepEqual(rifAtClose, [1], 'still counted once the client hung up');
  await clock.advanceBy(5_000);
  assert.equal(reporter.rif, 1, 'counted while the handler works');
  working[0]!.end('done, for nobody');
  assert.equal(reporter.rif, 0, 'the handler ended the response: its work is done');
  assert.equal(reporter.completed, 1);

  // A handler that never ends its abandoned response keeps it counted for abandonedHold only.
  await hangUp();
  assert.equal(reporter.rif, 1);
  await clock.advanceBy(9_999);
  assert.equal(reporter.rif, 1);
  await clock.advanceBy(1);
  assert.equal(reporter.rif, 0, 'released after abandonedHold');
  working[1]!.end('much later');
  assert.equal(reporter.completed, 2, 'counted out once');
  assert.equal(clock.pendingTimers, 0, 'no hold left behind');
  assert.throws(
    () => loadReporterHandler(reporter, { abandonedHold: 'soon' }),
    (e) => isHeadroomError(e, 'HR_CORE_INVALID_DURATION'),
  );
});

test('fastify: a request whose client hung up stays in flight until its handler replies, at most abandonedHold', async () => {
  const clock = new VirtualClock();
  const reporter = new LoadReporter({ clock });
  const app = Fastify();
  await app.register(fastifyLoadReporter(reporter, { abandonedHold: '10s' }));
  const working: (() => void)[] = [];
  const rifAtAbort: number[] = [];
  app.addHook('onRequestAbort', async (_request) => void rifAtAbort.push(reporter.rif)); // after the plugin's own hook
  app.get('/work', async () => {
    await new Promise<void>((resolve) => working.push(resolve)); // the test says when the handler is done
    return 'done, for nobody';
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  closers.push(() => app.close());
  const { port } = app.server.address() as AddressInfo;
  const replied = async (k: number): Promise<void> => {
    working[k]!();
    await until(() => reporter.completed > k || reporter.rif === 0, 'the reply went through the hooks');
  };

  await hangUpOn(port, working, rifAtAbort);
  assert.deepEqual(rifAtAbort, [1], 'still counted once the client hung up');
  await clock.advanceBy(5_000);
  assert.equal(reporter.rif, 1, 'counted while the handler works');
  await replied(0);
  assert.equal(reporter.rif, 0, 'the handler replied: its work is done');
  assert.equal(reporter.completed, 1);

  // A handler that never replies to its abandoned request keeps it counted for abandonedHold only.
  await hangUpOn(port, working, rifAtAbort);
  assert.equal(reporter.rif, 1);
  await clock.advanceBy(9_999);
  assert.equal(reporter.rif, 1);
  await clock.advanceBy(1);
  assert.equal(reporter.rif, 0, 'released after abandonedHold');
  working[1]!();
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(reporter.completed, 2, 'counted out once');
  assert.equal(clock.pendingTimers, 0, 'no hold left behind');
  assert.throws(
    () => fastifyLoadReporter(reporter, { abandonedHold: 'soon' }),
    (e) => isHeadroomError(e, 'HR_CORE_INVALID_DURATION'),
  );
});
