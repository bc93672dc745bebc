/**
 * Key routing through the rendezvous, jump and maglev partitioners (keys.ts): every call goes to
 * the server the real `headroom/partition` object names for its key — before a crash, while the
 * crashed server is out of the partitioner, and after its restart puts it back — checked call by
 * call against the partitioner built directly. (Ketama: keys.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../src/core/random.js';
import { JumpPartitioner, MaglevPartitioner, RendezvousPartitioner, type Partitioner } from '../../src/partition/index.js';
import { runModel } from '../../src/sim/index.js';

const SERVERS = 7;
const ids = Array.from({ length: SERVERS }, (_, i) => `s${i}`);
// 1,500 distinct keys in a shuffled order, taken in turn by the calls.
const trace = (() => {
  const keys = Array.from({ length: 1500 }, (_, i) => `k${i * 7919}`);
  const random = new SeededRandom(5);
  for (let i = keys.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [keys[i], keys[j]] = [keys[j]!, keys[i]!];
  }
  return keys;
})();
const CRASHED = 3;

const partitioners: Record<'rendezvous' | 'jump' | 'maglev', () => Partitioner> = {
  rendezvous: () => new RendezvousPartitioner(ids),
  jump: () => new JumpPartitioner(ids),
  maglev: () => new MaglevPartitioner(ids),
};

for (const [name, build] of Object.entries(partitioners)) {
  test(`${name}: each call goes to the owner the real partitioner names for its key, through a crash and restart`, () => {
    const before = build();
    const during = before.withoutNode(`s${CRASHED}`);
    // The restart gives the server its keys back: the partitioner from before the crash, not one
    // rebuilt with the server appended (under jump that would swap s3's keys with s6's).
    const after = before;
    const owner = (p: Partitioner, key: string): number => Number(p.locate(key).slice(1));
    const seen = new Array<number>(SERVERS).fill(0);
    let i = 0;
    let checked = 0;
    // A call every 2 ms for 6 s (3,000 calls: every key twice); the crash at 2,001 ms and the restart
    // at 4,001 ms fall between calls.
    runModel(
      {
        duration: 6000,
        arrivals: { type: 'constant', ratePerSec: 500 },
        keys: { type: 'trace', keys: trace },
        partitioner: name as 'rendezvous' | 'jump' | 'maglev',
        servers: [{ count: SERVERS, workers: 'unbounded', service: { type: 'constant', value: 1 } }],
        faults: [
          { atMs: 2001, action: 'crash', servers: [CRASHED] },
          { atMs: 4001, action: 'restart', servers: [CRASHED] },
        ],
      },
      1,
      {
        onDispatch: (atMs, _client, server) => {
          const key = trace[i++ % trace.length]!;
          const p = atMs < 2001 ? before : atMs < 4001 ? during : after;
          if (server !== owner(p, key)) assert.fail(`${key} at ${atMs} ms went to s${server}, ${name} names s${owner(p, key)}`);
          seen[server]!++;
          checked++;
        },
      },
    );
    assert.ok(checked >= 2999, `${checked} calls checked`);
    // Every server owns a share of the keys (a partitioner sending all to one server would not).
    for (const [s, n] of seen.entries()) assert.ok(n > 3000 / SERVERS / 3, `s${s} took ${n} of ${checked} calls`);
  });
}
