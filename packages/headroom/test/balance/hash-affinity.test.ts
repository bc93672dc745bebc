import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { SeededRandom } from '../../src/core/random.js';
import { isHeadroomError } from '../../src/core/errors.js';
import { Balancer, hashAffinity, outstanding } from '../../src/balance/index.js';

const IDS = ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80', '10.0.0.4:80'];
const KEYS = Array.from({ length: 2_000 }, (_, i) => `user:${i}`);

function balancer(seed: number, loadFactor = 1.25): Balancer {
  return new Balancer({
    endpoints: IDS,
    picker: hashAffinity({ loadFactor }),
    load: outstanding(),
    outlier: false,
    clock: new VirtualClock(),
    random: new SeededRandom(seed),
  });
}

const placement = (b: Balancer): Map<string, string> => new Map(KEYS.map((k) => [k, b.pick(k)!.id]));

test('hash affinity: the same key always lands on the same endpoint, and independent balancers agree', () => {
  const one = placement(balancer(1));
  const two = placement(balancer(2));
  assert.deepEqual(one, two);
  assert.deepEqual(placement(balancer(1)), one);
  // Roughly even spread with 160 vnodes: every endpoint holds 15–35 % of 2,000 keys.
  const counts = new Map<string, number>();
  for (const id of one.values()) counts.set(id, (counts.get(id) ?? 0) + 1);
  for (const id of IDS) assert.ok(counts.get(id)! > 300 && counts.get(id)! < 700, `${id}: ${counts.get(id)}`);
});

test('hash affinity: removing an endpoint moves only its keys; ejecting it and back restores placement', () => {
  const b = balancer(1);
  const before = placement(b);
  b.remove(IDS[1]!);
  const after = placement(b);
  for (const key of KEYS) {
    if (before.get(key) !== IDS[1]) assert.equal(after.get(key), before.get(key), key);
    else assert.notEqual(after.get(key), IDS[1]);
  }
  b.add(IDS[1]!);
  assert.deepEqual(placement(b), before);
});

test('hash affinity: bounded load — a hot key overflows once its home holds ⌈c·(m+1)/n⌉ in-flight requests', () => {
  const b = balancer(1, 1.25);
  const home = b.pick('hot')!;
  // Requests for one key pile up: with n = 4 and c = 1.25 the home may hold ⌈1.25·(m+1)/4⌉ of m+1.
  const chosen: string[] = [];
  for (let m = 0; m < 40; m++) {
    const ep = b.pick('hot')!;
    chosen.push(ep.id);
    b.begin(ep);
  }
  const homeShare = chosen.filter((id) => id === home.id).length;
  assert.ok(homeShare <= Math.ceil((1.25 * 40) / 4), `home took ${homeShare} of 40`);
  assert.ok(homeShare >= Math.floor((1.25 * 40) / 4) - 1, `home took only ${homeShare} of 40`);
  assert.ok(new Set(chosen).size > 1, 'overflow went elsewhere');
  const loads = b.snapshot().endpoints.map((e) => e.outstanding);
  assert.equal(
    loads.reduce((a, x) => a + x, 0),
    40,
  );
  for (const load of loads) assert.ok(load <= Math.ceil((1.25 * 40) / 4), `loads ${loads}`);
});

test('hash affinity needs a key, rejects c < 1 and slow start', async () => {
  const b = balancer(1);
  assert.throws(
    () => b.pick(),
    (e) => isHeadroomError(e, 'HR_BALANCE_KEY_REQUIRED'),
  );
  await assert.rejects(
    b.call(() => 1),
    (e) => isHeadroomError(e, 'HR_BALANCE_KEY_REQUIRED'),
  );
  assert.equal(await b.call((ep) => ep.id, { key: 'user:1' }), b.pick('user:1')!.id);
  assert.throws(
    () => hashAffinity({ loadFactor: 0.9 }),
    (e) => isHeadroomError(e, 'HR_BALANCE_INVALID_OPTION'),
  );
  assert.throws(
    () => hashAffinity({ vnodes: 0 }),
    (e) => isHeadroomError(e, 'HR_PARTITION_INVALID_OPTION'),
  );
  assert.throws(
    () => new Balancer({ picker: hashAffinity(), slowStart: { window: 1000 } }),
    (e) => isHeadroomError(e, 'HR_BALANCE_INVALID_OPTION'),
  );
});
