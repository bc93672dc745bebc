import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimEngine, type SimHandler } from '../../src/sim/index.js';
import { isHeadroomError } from '../../src/core/errors.js';
import { sleep } from '../../src/core/clock.js';

function recorder(engine: SimEngine): { log: string[]; handler: SimHandler } {
  const log: string[] = [];
  return { log, handler: { handle: (kind, arg) => log.push(`${engine.now}:${kind}:${arg}`) } };
}

test('events run in time order, ties in insertion order, without awaiting anything', () => {
  const engine = new SimEngine();
  const { log, handler } = recorder(engine);
  engine.at(5, handler, 1, 0);
  engine.at(2, handler, 2, 0);
  engine.at(5, handler, 3, 0);
  engine.at(2, handler, 4, 0);
  engine.after(0, handler, 5, 7);
  assert.equal(engine.run(), 5);
  assert.deepEqual(log, ['0:5:7', '2:2:0', '2:4:0', '5:1:0', '5:3:0']);
});

test('run(untilMs) stops at the bound and moves time to it; step() runs one event', () => {
  const engine = new SimEngine();
  const { log, handler } = recorder(engine);
  for (let i = 1; i <= 10; i++) engine.at(i, handler, i, 0);
  assert.equal(engine.run(4.5), 4);
  assert.equal(engine.now, 4.5);
  assert.equal(engine.step(), true);
  assert.equal(engine.now, 5);
  assert.equal(log.length, 5);
  engine.run();
  assert.equal(engine.step(), false);
  assert.equal(engine.executed, 10);
});

test('cancel drops an event; a stale id (slot reused) cancels nothing', () => {
  const engine = new SimEngine();
  const { log, handler } = recorder(engine);
  const a = engine.at(1, handler, 1, 0);
  engine.cancel(a);
  engine.run();
  assert.deepEqual(log, []);
  const b = engine.at(2, handler, 2, 0);
  engine.run();
  engine.at(3, handler, 3, 0); // reuses b's slot
  engine.cancel(b);
  engine.run();
  assert.deepEqual(log, ['2:2:0', '3:3:0']);
});

test('a handler may schedule more events and stop the run', () => {
  const engine = new SimEngine();
  let n = 0;
  const chain: SimHandler = {
    handle: () => {
      n++;
      if (n === 1000) engine.stop();
      engine.after(1, chain, 0, 0);
    },
  };
  engine.after(1, chain, 0, 0);
  engine.run();
  assert.equal(n, 1000);
  assert.equal(engine.now, 1000);
  assert.equal(engine.pending, 1);
});

test('the heap keeps order with many random events (grows past its first capacity)', () => {
  const engine = new SimEngine({ seed: 7 });
  const r = engine.random.fork('times');
  const times: number[] = [];
  const seen: number[] = [];
  const handler: SimHandler = { handle: () => seen.push(engine.now) };
  const ids: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const t = Math.floor(r.next() * 1000);
    ids.push(engine.at(t, handler, 0, i));
    times.push(t);
  }
  // cancel every third
  const kept: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (i % 3 === 0) engine.cancel(ids[i]!);
    else kept.push(times[i]!);
  }
  engine.run();
  assert.deepEqual(
    seen,
    kept.sort((a, b) => a - b),
  );
});

test('the first event a handler schedules takes the place of the spent top: ties, cancel, setArg, pending and run bounds hold', () => {
  const engine = new SimEngine();
  const { log, handler } = recorder(engine);
  const later = engine.at(10, handler, 1, 0);
  let self = -1;
  const chain: SimHandler = {
    handle: (kind) => {
      log.push(`${engine.now}:${kind}:chain`);
      if (kind === 2) {
        assert.equal(engine.pending, 2); // the running event is not pending
        engine.setArg(self, 5); // spent: changes nothing
        engine.cancel(self); // spent: cancels nothing
        engine.at(3, chain, 4, 0); // a tie with the queued event at 3 runs after it
        engine.setArg(later, 9);
        assert.equal(engine.pending, 3);
      }
      // kind 4 schedules nothing: its event leaves after it
    },
  };
  self = engine.at(3, chain, 2, 0);
  engine.at(3, handler, 3, 0);
  engine.at(2, handler, 0, 0);
  assert.equal(engine.run(3), 4);
  assert.equal(engine.pending, 1);
  engine.run();
  assert.deepEqual(log, ['2:0:0', '3:2:chain', '3:3:0', '3:4:chain', '10:1:9']);
  assert.equal(engine.step(), false);
  assert.equal(engine.pending, 0);
});

test('events scheduled while running, with ties and cancellations, run in (time, insertion) order', () => {
  const engine = new SimEngine({ seed: 3 });
  const r = engine.random.fork('schedule');
  const pending = new Map<number, { t: number; seq: number }>();
  let seq = 0;
  let ran = 0;
  const schedule = (): void => {
    const t = engine.now + Math.floor(r.next() * 4) * (r.next() < 0.5 ? 1 : 0.25);
    const id = engine.at(t, handler, 0, seq);
    pending.set(seq, { t, seq: seq++ });
    ids.push([id, seq - 1]);
  };
  const ids: [number, number][] = [];
  const cancelOne = (): void => {
    if (r.next() < 0.4 && ids.length > 0) {
      const [id, s] = ids.splice(Math.floor(r.next() * ids.length), 1)[0]!;
      if (pending.delete(s)) engine.cancel(id);
    }
  };
  const handler: SimHandler = {
    handle: (_kind, arg) => {
      ran++;
      let min: { t: number; seq: number } | undefined;
      for (const e of pending.values()) if (min === undefined || e.t < min.t || (e.t === min.t && e.seq < min.seq)) min = e;
      assert.equal(arg, min!.seq);
      assert.equal(engine.now, min!.t);
      pending.delete(arg);
      const cancelFirst = r.next() < 0.5;
      if (cancelFirst) cancelOne();
      if (ran < 3000) for (let k = Math.floor(r.next() * 3); k >= 0; k--) schedule();
      if (!cancelFirst) cancelOne();
    },
  };
  for (let i = 0; i < 20; i++) schedule();
  engine.run();
  assert.equal(pending.size, 0);
  assert.ok(ran >= 3000);
});

test('the clock view runs real timers (and sleep) on engine time', async () => {
  const engine = new SimEngine({ startMs: 100 });
  const fired: number[] = [];
  engine.clock.setTimer(10, () => fired.push(engine.clock.now()));
  const handle = engine.clock.setTimer(5, () => fired.push(-1));
  handle.cancel();
  handle.cancel();
  let slept = false;
  void sleep(engine.clock, 20).then(() => (slept = true));
  engine.run();
  await Promise.resolve();
  assert.deepEqual(fired, [110]);
  assert.equal(slept, true);
  assert.equal(engine.clock.wallNow() - Date.UTC(2025, 0, 1), 20);
});

test('same seed and schedule give the same trace hash; another schedule a different one', () => {
  const trace = (seed: number): string => {
    const engine = new SimEngine({ seed });
    const r = engine.random.fork('x');
    const h: SimHandler = { handle: () => undefined };
    for (let i = 0; i < 1000; i++) engine.at(r.next() * 100, h, i % 7, 0);
    engine.run();
    return engine.traceHash;
  };
  assert.equal(trace(1), trace(1));
  assert.notEqual(trace(1), trace(2));
  assert.match(trace(1), /^[0-9a-f]{8}$/);
});

test('bad input is a typed error naming the option', () => {
  assert.throws(
    () => new SimEngine({ seed: 1.5 }),
    (e: unknown) => isHeadroomError(e, 'HR_SIM_INVALID_OPTION') && /engine\.seed/.test((e as Error).message),
  );
  const engine = new SimEngine();
  assert.throws(
    () => engine.at(Number.NaN, { handle: () => undefined }, 0, 0),
    (e: unknown) => isHeadroomError(e, 'HR_SIM_INVALID_OPTION'),
  );
});

test('a handler may run the engine itself: step() and run() inside an event run the next events, not the one running', () => {
  const engine = new SimEngine();
  const { log, handler } = recorder(engine);
  const nested: SimHandler = {
    handle: (kind) => {
      log.push(`${engine.now}:nested${kind}`);
      if (kind === 1) assert.equal(engine.step(), true);
      else engine.run(4);
    },
  };
  engine.at(1, nested, 1, 0);
  engine.at(2, handler, 2, 0);
  engine.at(3, nested, 3, 0);
  engine.at(4, handler, 4, 0);
  engine.at(5, handler, 5, 0);
  assert.equal(engine.pending, 5);
  assert.equal(engine.run(), 5);
  assert.deepEqual(log, ['1:nested1', '2:2:0', '3:nested3', '4:4:0', '5:5:0']);
  assert.equal(engine.pending, 0);
});
