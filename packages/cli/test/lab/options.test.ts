import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHeadroomError } from 'headroom';
import { parseLabOptions } from '../../src/lab/options.js';
import { scenarioCatalog } from '../../src/lab/scenarios/catalog.js';

const KNOWN = ['cache', 'hot-key', 'slow-replica', 'stalls', 'overload'];

test('defaults: every scenario, 8 s phases, 3 replicas, 100k products, SQLite, seed 42', () => {
  const o = parseLabOptions({}, KNOWN, null);
  assert.deepEqual(o.scenarios, KNOWN);
  assert.equal(o.durationMs, 8_000);
  assert.equal(o.warmupMs, 1_000);
  assert.equal(o.replicas, 3);
  assert.equal(o.products, 100_000);
  assert.equal(o.seed, 42);
  assert.equal(o.storeUrl, null);
  assert.equal(o.redisUrl, null);
  assert.equal(o.basePort, null);
  assert.equal(o.reportPath, 'lab-report.html');
  assert.equal(o.tracePicksPath, null, 'no pick trace unless asked');
  assert.equal(parseLabOptions({ tracePicks: '/tmp/picks.ndjson' }, KNOWN, null).tracePicksPath, '/tmp/picks.ndjson');
  assert.equal(o.stallThresholdMs, 3, 'traced replicas record lags of 3 ms and more unless told otherwise');
  assert.equal(parseLabOptions({ tracePicks: '/tmp/p.ndjson', stallThreshold: '1ms' }, KNOWN, null).stallThresholdMs, 1);
  // Twelve phases × (8 s + 1 s warm-up) = 108 s of load: `npm start` stays well under 3 minutes.
  const phases = scenarioCatalog({ replicas: o.replicas }).reduce((n, s) => n + s.phases.length, 0);
  assert.equal(phases, 12);
  assert.ok(phases * (o.durationMs + o.warmupMs) <= 120_000);
});

test('explicit values, scenario lists, HEADROOM_SEED, --no-report', () => {
  const o = parseLabOptions(
    {
      scenario: 'stalls,cache',
      duration: '2s',
      warmup: '0ms',
      replicas: '4',
      products: '5000',
      seed: '7',
      store: 'postgres://127.0.0.1/test',
      redis: 'redis://127.0.0.1:6379',
      basePort: '9000',
      report: false,
    },
    KNOWN,
    99,
  );
  assert.deepEqual(o.scenarios, ['stalls', 'cache']);
  assert.equal(o.durationMs, 2_000);
  assert.equal(o.warmupMs, 0);
  assert.equal(o.replicas, 4);
  assert.equal(o.seed, 7);
  assert.equal(o.storeUrl, 'postgres://127.0.0.1/test');
  assert.equal(o.basePort, 9_000);
  assert.equal(o.reportPath, null);
  assert.equal(parseLabOptions({}, KNOWN, 99).seed, 99);
  assert.equal(parseLabOptions({ store: 'sqlite' }, KNOWN, null).storeUrl, null);
});

test('bad input names the option and the fix', () => {
  const cases: [Record<string, string>, string, RegExp][] = [
    [{ scenario: 'cahce' }, 'HR_LAB_UNKNOWN_SCENARIO', /cahce.*cache, hot-key, slow-replica, stalls, overload/],
    [{ duration: 'soon' }, 'HR_LAB_INVALID_OPTION', /--duration/],
    [{ duration: '10ms' }, 'HR_LAB_INVALID_OPTION', /--duration.*at least 200 ms/],
    [{ replicas: '1' }, 'HR_LAB_INVALID_OPTION', /--replicas.*from 2 to 16/],
    [{ products: 'many' }, 'HR_LAB_INVALID_OPTION', /--products/],
    [{ store: 'mysql://x' }, 'HR_LAB_INVALID_OPTION', /--store.*postgres:\/\//],
    [{ redis: '127.0.0.1:6379' }, 'HR_LAB_INVALID_OPTION', /--redis.*redis:\/\//],
    [{ basePort: '70000' }, 'HR_LAB_INVALID_OPTION', /--base-port/],
    [{ seed: '1.5' }, 'HR_LAB_INVALID_OPTION', /--seed/],
    [{ tracePicks: ' ' }, 'HR_LAB_INVALID_OPTION', /--trace-picks.*NDJSON file/],
    [{ stallThreshold: '1ms' }, 'HR_LAB_INVALID_OPTION', /--stall-threshold: got "1ms"; .*pass --trace-picks <file> too/],
    [{ tracePicks: '/tmp/p.ndjson', stallThreshold: '0.5ms' }, 'HR_LAB_INVALID_OPTION', /--stall-threshold: .*at least 1 ms/],
    [{ tracePicks: '/tmp/p.ndjson', stallThreshold: '1' }, 'HR_LAB_INVALID_OPTION', /--stall-threshold: .*with a unit/],
    // A bare 0 is not a duration the core parser knows; the message says what is accepted.
    [{ duration: '0' }, 'HR_LAB_INVALID_OPTION', /--duration: got "0"; use a duration of at least 200 ms with a unit, e\.g\. 8s or 1500ms/],
    [{ duration: '0s' }, 'HR_LAB_INVALID_OPTION', /--duration: got "0s"; use a duration of at least 200 ms/],
    [{ interval: '0' }, 'HR_LAB_INVALID_OPTION', /--interval: got "0"; use a duration of at least 50 ms with a unit, e\.g\. 500ms/],
    [{ warmup: 'soon' }, 'HR_LAB_INVALID_OPTION', /--warmup: got "soon"; use a duration with a unit, e\.g\. 1s, or 0ms for none/],
    [{ interval: '2s', duration: '1s' }, 'HR_LAB_INVALID_OPTION', /--interval: got "2s"; use at most --duration \(1s\)/],
    [
      { scenario: 'cache,stalls,cache' },
      'HR_LAB_INVALID_OPTION',
      /--scenario: got "cache,stalls,cache"; name each scenario once \(cache is repeated\)/,
    ],
  ];
  for (const [raw, code, message] of cases) {
    assert.throws(
      () => parseLabOptions(raw, KNOWN, null),
      (e: unknown) => isHeadroomError(e, code) && message.test((e as Error).message),
      JSON.stringify(raw),
    );
  }
});

test('--json alone writes no HTML report; --report with --json does', () => {
  assert.equal(parseLabOptions({}, KNOWN, null, { json: true }).reportPath, null);
  assert.equal(parseLabOptions({ report: 'x.html' }, KNOWN, null, { json: true }).reportPath, 'x.html');
  assert.equal(parseLabOptions({}, KNOWN, null, { json: false }).reportPath, 'lab-report.html');
});
