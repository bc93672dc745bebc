import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, parseOptionalDuration, parsePositiveDuration } from '../../src/core/duration.js';
import { isHeadroomError } from '../../src/core/errors.js';

test('parses numbers and unit strings', () => {
  assert.equal(parseDuration(0, 'x'), 0);
  assert.equal(parseDuration(12.5, 'x'), 12.5);
  assert.equal(parseDuration('250ms', 'x'), 250);
  assert.equal(parseDuration('5s', 'x'), 5_000);
  assert.equal(parseDuration('1.5s', 'x'), 1_500);
  assert.equal(parseDuration('5m', 'x'), 300_000);
  assert.equal(parseDuration('1h', 'x'), 3_600_000);
  assert.equal(parseDuration('2d', 'x'), 172_800_000);
  assert.equal(parseOptionalDuration(undefined, 'x', 7), 7);
});

test('a bad value throws an error naming the option and the value', () => {
  for (const bad of [-1, Number.NaN, Infinity, '5', '5 parsecs', '', 'ms', '-5s']) {
    assert.throws(
      () => parseDuration(bad, 'cache.ttl'),
      (e: unknown) => {
        assert.ok(isHeadroomError(e, 'HR_CORE_INVALID_DURATION'));
        assert.match((e as Error).message, /cache\.ttl/);
        assert.match((e as Error).message, /'5s'/);
        return true;
      },
    );
  }
});

test('parsePositiveDuration refuses 0 and names the option; undefined gives the fallback', () => {
  assert.equal(parsePositiveDuration(undefined, 'x', 10), 10);
  assert.equal(parsePositiveDuration('2s', 'x', 10), 2_000);
  assert.throws(
    () => parsePositiveDuration(0, 'health.interval', 10),
    (e: unknown) =>
      isHeadroomError(e, 'HR_CORE_INVALID_DURATION') &&
      /health\.interval/.test((e as Error).message) &&
      /positive/.test((e as Error).message),
  );
  assert.throws(() => parsePositiveDuration('0s', 'health.interval', 10), /health\.interval/);
});
