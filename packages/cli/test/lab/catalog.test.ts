import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scenarioCatalog } from '../../src/lab/scenarios/catalog.js';

test('the cache scenario asks about an in-process cache, or about one over the shared tier with --redis', () => {
  const question = (redis: boolean): string => scenarioCatalog({ replicas: 3, redis }).find((s) => s.name === 'cache')!.question;
  assert.match(question(false), /in-process cache take/);
  assert.doesNotMatch(question(false), /Redis|shared/);
  assert.match(question(true), /in-process cache over a shared Redis tier take/);
});
