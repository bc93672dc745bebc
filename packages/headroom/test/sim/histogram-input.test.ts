/**
 * Recorded latency histograms as service times: every accepted format gives the distribution it
 * records (checked through its percentiles and by sampling it in a model), and every bad file fails
 * with HR_SIM_INVALID_HISTOGRAM naming the file and the reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import hdr from 'hdr-histogram-js';
import { isHeadroomError } from '../../src/core/errors.js';
import { parseLatencyHistogram, readLatencyHistogram, runModel } from '../../src/sim/index.js';

// 1,000 samples: 1.0, 1.1, … 100.9 ms (uniform), as each format records them.
const VALUES = Array.from({ length: 1000 }, (_, i) => 1 + i / 10);

function hdrHistogram(): hdr.Histogram {
  const h = hdr.build();
  for (const v of VALUES) h.recordValue(Math.round(v * 1000)); // µs
  return h;
}

function assertUniform(p50: number, p99: number, what: string): void {
  assert.ok(Math.abs(p50 - 51) < 1.5, `${what}: p50 ${p50}`);
  assert.ok(Math.abs(p99 - 100) < 1.5, `${what}: p99 ${p99}`);
}

test('one latency per line (ms, or another unit)', () => {
  const r = parseLatencyHistogram(`# ms\n${VALUES.join('\n')}\n`, 'pings.txt');
  assert.equal(r.format, 'values');
  assert.equal(r.count, 1000);
  assertUniform(r.p50Ms, r.p99Ms, 'values');
  const us = parseLatencyHistogram(VALUES.map((v) => v * 1000).join('\n'), 'pings-us.txt', { unit: 'us' });
  assertUniform(us.p50Ms, us.p99Ms, 'values in µs');
});

test('an HdrHistogram percentile distribution (.hgrm) and interval log (.hlog)', () => {
  const h = hdrHistogram();
  const hgrm = parseLatencyHistogram(h.outputPercentileDistribution(), 'x.hgrm', { unit: 'us' });
  assert.equal(hgrm.format, 'hgrm');
  assert.equal(hgrm.count, 1000);
  assertUniform(hgrm.p50Ms, hgrm.p99Ms, 'hgrm');
  let log = '';
  const writer = new hdr.HistogramLogWriter((s: string) => {
    log += s;
  });
  writer.outputLogFormatVersion();
  writer.outputLegend();
  writer.outputIntervalHistogram(h, 0, 1, 1);
  writer.outputIntervalHistogram(h, 1, 2, 1);
  const hlog = parseLatencyHistogram(log, 'x.hlog', { unit: 'us' });
  assert.equal(hlog.format, 'hlog');
  assert.equal(hlog.count, 2000, 'the intervals are added up');
  assertUniform(hlog.p50Ms, hlog.p99Ms, 'hlog');
});

test('headroom lab --json: a phase’s CDF, the first baseline by default, --phase to choose', () => {
  const cdf = (scale: number) => [0, 50, 90, 99, 99.9, 100].map((percentile) => ({ percentile, ms: scale * (1 + percentile / 10) }));
  const lab = {
    tool: 'headroom lab',
    scenarios: [
      {
        name: 'stalls',
        phases: [
          { label: 'no hedging', role: 'baseline', ok: 4000, cdf: cdf(1) },
          { label: 'hedging', role: 'treatment', ok: 4000, cdf: cdf(2) },
        ],
      },
    ],
  };
  const text = JSON.stringify(lab);
  const base = parseLatencyHistogram(text, 'lab.json');
  assert.equal(base.format, 'lab-json');
  assert.match(base.description, /stalls\/no hedging/);
  assert.equal(base.p99Ms, 10.9);
  assert.equal(parseLatencyHistogram(text, 'lab.json', { phase: 'stalls/hedging' }).p99Ms, 21.8);
  assert.throws(
    () => parseLatencyHistogram(text, 'lab.json', { phase: 'cache' }),
    (e) =>
      isHeadroomError(e, 'HR_SIM_INVALID_HISTOGRAM') &&
      /lab\.json.*no lab phase cache.*stalls\/no hedging, stalls\/hedging/.test((e as Error).message),
  );
});

test('the histogram drives a model: an idle server answers with its service times', () => {
  const service = parseLatencyHistogram(VALUES.join('\n'), 'pings.txt').service;
  const r = runModel(
    { duration: '100s', arrivals: { type: 'poisson', ratePerSec: 100 }, servers: [{ count: 1, workers: 'unbounded', service }] },
    1,
  );
  assertUniform(r.latency.p50, r.latency.p99, 'simulated');
});

test('bad files fail with HR_SIM_INVALID_HISTOGRAM naming the file and the reason', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hr-sim-hist-'));
  try {
    const file = (name: string, text: string): string => {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    };
    const cases: [string, RegExp][] = [
      [join(dir, 'missing.txt'), /missing\.txt: cannot be read \(ENOENT\)/],
      [file('empty.txt', '\n'), /empty\.txt: the file is empty/],
      [file('words.txt', '12\nfast\n'), /words\.txt: line 2 \("fast"\) is not a latency; expected lab JSON/],
      [file('one.txt', '12\n'), /one\.txt: it holds 1 latency value/],
      [file('other.json', '{"hello": 1}'), /other\.json: a JSON file that is not `headroom lab --json` output/],
      [file('broken.json', '{"tool": '), /broken\.json: not valid JSON/],
      [
        file('zero.hgrm', '       Value     Percentile TotalCount 1/(1-Percentile)\n\n  0.000 1.0 0 inf\n'),
        /zero\.hgrm: its TotalCount is 0/,
      ],
      [
        file('down.hgrm', '       Value     Percentile TotalCount 1/(1-Percentile)\n  5.0 0.5 5 2\n  4.0 1.0 10 inf\n'),
        /down\.hgrm: its values or percentiles go down/,
      ],
    ];
    for (const [path, message] of cases)
      assert.throws(
        () => readLatencyHistogram(path),
        (e) => isHeadroomError(e, 'HR_SIM_INVALID_HISTOGRAM') && message.test((e as Error).message),
        String(message),
      );
    assert.throws(
      () => readLatencyHistogram(file('ok.txt', '1\n2\n'), { unit: 'minutes' as never }),
      (e) => isHeadroomError(e, 'HR_SIM_INVALID_HISTOGRAM') && /ok\.txt: unknown unit "minutes"/.test((e as Error).message),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
