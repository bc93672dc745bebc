import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeadroomError, InvalidOptionError, LoadShedError, isHeadroomError, toError } from '../../src/core/errors.js';

test('brand survives duplicate installs: a structurally branded object is recognised', () => {
  const e = new InvalidOptionError('ttl', -1, 'use a positive number');
  assert.ok(e instanceof HeadroomError);
  assert.ok(e instanceof InvalidOptionError);
  assert.ok(!(e instanceof LoadShedError));
  assert.ok(isHeadroomError(e, 'HR_CORE_INVALID_OPTION'));
  assert.ok(!isHeadroomError(e, 'HR_OTHER'));
  const foreign = Object.assign(new Error('x'), { code: 'HR_X' });
  Object.defineProperty(foreign, Symbol.for('headroom.error'), { value: true });
  assert.ok(foreign instanceof HeadroomError);
  assert.ok(!isHeadroomError(new Error('plain')));
  assert.match(e.message, /ttl.*-1.*positive/);
});

test('LoadShedError carries retryAfterMs; toError wraps non-Errors', () => {
  const shed = new LoadShedError('busy', 250);
  assert.equal(shed.retryAfterMs, 250);
  assert.equal(shed.details['retryAfterMs'], 250);
  const wrapped = toError('oops', 'loader');
  assert.ok(isHeadroomError(wrapped, 'HR_CORE_NON_ERROR_THROWN'));
  assert.equal((wrapped as HeadroomError).cause, 'oops');
  const real = new Error('x');
  assert.equal(toError(real, 'loader'), real);
});
