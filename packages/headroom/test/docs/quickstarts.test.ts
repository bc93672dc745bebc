/**
 * The code in docs/balance.md, docs/latency.md, docs/partition.md, docs/core.md, docs/scale.md, docs/chaos.md and docs/sim.md compiles and
 * does what the text around it says. Every ```ts block is type-checked against `src/` with the
 * repo's strict options (as a user's project would compile it against the published types), then
 * run as a program with `node --import tsx`; where a block talks to servers, real loopback HTTP
 * servers stand in for the hosts it names (the only change made to its text). A block added to
 * these docs is checked and run without touching this file; the checks below add what its
 * output must show.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { extractExamples, ExampleWorkspace } from './doc-examples.js';
import { startHttpBackend, type HttpBackend as Backend } from '../support/http-backend.js';

const DOCS = ['docs/balance.md', 'docs/latency.md', 'docs/partition.md', 'docs/core.md', 'docs/scale.md', 'docs/chaos.md', 'docs/sim.md'];
const examples = DOCS.flatMap(extractExamples);
const workspace = new ExampleWorkspace();
after(() => workspace.dispose());

/** What running one example needs and must show. */
interface Expectation {
  /** Code appended for type-checking only (e.g. to check a sketch against the real API). */
  readonly typecheckTail?: string;
  /** Starts what the example talks to and says which literal hosts to replace with it. */
  readonly serve?: () => Promise<{ replace: ReadonlyArray<readonly [string, string]>; close(): Promise<void>; backends: Backend[] }>;
  /** Checks the run's output (and the servers it talked to). */
  readonly check?: (stdout: string, backends: Backend[]) => void;
}

const expectations: Record<string, Expectation> = {
  'docs/sim.md#1': {
    check: (stdout) => {
      // p99 in ms, the hedges' share of attempts (the p95 hedge: a few %), and the trace hash.
      const [p99, extra, hash] = stdout.trim().split(' ');
      assert.ok(Number(p99) > 4 && Number(p99) < 100, stdout);
      assert.ok(Number(extra) > 0 && Number(extra) <= 0.06, stdout);
      assert.match(hash!, /^[0-9a-f]{8}$/);
    },
  },
  'docs/sim.md#2': {
    check: (stdout) => {
      // The scenario section's TypeScript example: 2% stalls at 50 ms set p2c's p99; the p95 hedge rescues them within its 5% budget.
      const figures = (name: string): [p99: number, extra: number] => {
        const line = stdout.split('\n').find((l) => l.startsWith(`${name}: p99 `));
        const m = line === undefined ? null : /: p99 ([\d.]+) ± [\d.]+ ms, extra ([\d.]+)%$/.exec(line);
        assert.ok(m !== null, stdout);
        return [Number(m[1]), Number(m[2])];
      };
      const [plainP99, plainExtra] = figures('p2c');
      const [hedgedP99, hedgedExtra] = figures('p2c + hedge');
      assert.ok(plainP99 > 45 && hedgedP99 < plainP99 / 2, stdout);
      assert.equal(plainExtra, 0, stdout);
      assert.ok(hedgedExtra > 0 && hedgedExtra <= 5.5, stdout);
    },
  },
  'docs/chaos.md#1': {
    check: (stdout) => {
      // The seeded 1% of users: the same ten on every run; the flap is on at first; the kill switch stops it.
      assert.match(stdout, /^failing users: 10 of 1000, first 173$/m);
      assert.match(stdout, /^orders: 503$/m);
      assert.match(stdout, /^orders, kill switch engaged: 200$/m);
    },
  },
  'docs/scale.md#1': {
    check: (stdout) => {
      // The R usl package's published fit of SPEC SDM91 and what the text says about it.
      assert.match(stdout, /^alpha 0\.02773 \[0\.01000, 0\.04545\]$/m);
      assert.match(stdout, /^beta 1\.044e-4, gamma 90\.00$/m);
      assert.match(stdout, /^peak N\* 96\.52 at X 1884, limit 3246$/m);
      assert.match(stdout, /^1500\/s needs N = 34$/m);
      assert.match(stdout, /^2000\/s is out of reach: peak 1884 at N\* 96\.5$/m);
    },
  },
  'docs/balance.md#1': {
    serve: async () => {
      const backends = await Promise.all([5, 5, 50].map((ms) => startHttpBackend({ serviceMs: ms })));
      const hosts = ['http://10.0.0.1:8080', 'http://10.0.0.2:8080', 'http://10.0.0.3:8080'];
      return {
        backends,
        replace: hosts.map((host, i) => [host, backends[i]!.origin] as const),
        close: async () => {
          await Promise.all(backends.map((b) => b.close()));
        },
      };
    },
    check: (stdout, backends) => {
      // balancer.call, undici.request and the global fetch each reached a replica through the balancer.
      assert.match(stdout, /^call: ok GET \/users\/42$/m);
      assert.match(stdout, /^request: 200 ok GET \/users\/42$/m);
      assert.match(stdout, /^fetch: 200 ok GET \/users\/42$/m);
      assert.equal(
        backends.reduce((s, b) => s + b.hits, 0),
        3,
        'three requests, all to the real replicas',
      );
      for (const b of backends) assert.ok(stdout.includes(b.origin), `the snapshot table lists ${b.origin}`);
    },
  },
  'docs/latency.md#1': {
    check: (stdout) => {
      // Replica 0 hangs on its first request: the hedge after 20 ms goes to replica 1, which answers.
      const first = /^200 item 7 from replica 1 (\d+) ms left downstream$/m.exec(stdout);
      assert.ok(first !== null, `a hedged answer from replica 1:\n${stdout}`);
      assert.ok(Number(first[1]) > 0 && Number(first[1]) < 1000, `the remaining budget travelled downstream: ${first[1]} ms`);
      assert.match(stdout, /^504 .*"code":"HR_CORE_DEADLINE_EXCEEDED"/m);
      assert.match(stdout, /hedges: 1,/, 'one hedge was sent');
      assert.match(stdout, /wins: \[ 0, 1 \]/, 'and the hedge (attempt 1) won');
    },
  },
  'docs/latency.md#2': {
    check: (stdout) => {
      const m = /^from the schedule: p90 ([\d.]+) ms; from the send: p90 ([\d.]+) ms$/m.exec(stdout);
      assert.ok(m !== null, stdout);
      // Each 200 ms stall delays the ~10+ requests due behind it by ≥ 100 ms: > 10% of the 300.
      assert.ok(Number(m[1]) >= 100, `the schedule charges the requests queued behind a stall: p90 ${m[1]} ms`);
      assert.ok(Number(m[1]) >= Number(m[2]), 'timing from the send can only look better');
      assert.match(stdout, /^p99 [\d.]+ ms, max [\d.]+ ms, event-loop delay max [\d.]+ ms$/m, 'at least one interval was reported');
    },
  },
  'docs/partition.md#1': {
    // The interface sketch must describe the real one (each member it shows, with its real type).
    typecheckTail: "\ndeclare const real: import('headroom/partition').Partitioner;\nexport const sketch: Partitioner = real;\n",
  },
  'docs/partition.md#2': {
    check: (stdout) => assert.match(stdout, /^0\.2276$/m, 'the moved fraction the comment quotes'),
  },
  'docs/core.md#1': {
    check: (stdout) => assert.equal(stdout.trim(), '1000020'),
  },
  'docs/scale.md#2': {
    check: (stdout) => {
      const [steady, users, stepped] = stdout.trim().split('\n').map(Number);
      assert.equal(steady, 6_000);
      // Poisson counts: 6,000 ± 4σ (σ ≈ 77) and 5,000 ± 4σ (σ ≈ 71).
      assert.ok(Math.abs(users! - 6_000) <= 310 && Math.abs(stepped! - 5_000) <= 290, stdout);
    },
  },
  'docs/scale.md#3': {
    check: (stdout) => {
      assert.match(stdout, /^drained: 0 in flight$/m);
      assert.match(stdout, /^sent 200, ok 196, errors 4$/m, 'every 50th of 200 calls failed');
      const m = /^p50 ([\d.]+) ms, p99 ([\d.]+) ms \(from intended send times\)$/m.exec(stdout);
      assert.ok(m !== null && Number(m[1]) >= 2, `latency includes the 2 ms call:\n${stdout}`);
      assert.match(stdout, /^send lag p99 [\d.]+ ms, driver behind: (true|false)$/m);
    },
  },
  'docs/scale.md#4': {
    check: (stdout) => assert.equal(stdout.trim(), 'true 0.078'),
  },
  'docs/core.md#3': {
    check: (stdout) => assert.equal(stdout.trim(), 'true', 'backoff delays under their ceilings'),
  },
};

test('every expectation names an existing example', () => {
  const names = new Set(examples.map((e) => e.name));
  assert.deepEqual(
    Object.keys(expectations).filter((n) => !names.has(n)),
    [],
  );
});

test(`the ts examples of ${DOCS.join(', ')} type-check against src/ with the repo's strict options`, () => {
  for (const example of examples) workspace.write(example, example.code + (expectations[example.name]?.typecheckTail ?? ''));
  assert.deepEqual(workspace.typecheck(examples), []);
});

/** Hosts an example may name without a stand-in: loopback, and logical names that are never resolved. */
function foreignHosts(code: string): string[] {
  return [...code.matchAll(/https?:\/\/([^/'"`\s:]+)/g)]
    .map((m) => m[1]!)
    .filter((host) => host !== '127.0.0.1' && host !== 'localhost' && !host.endsWith('.internal'));
}

for (const example of examples) {
  test(`${example.name} (line ${example.line}) runs and does what the doc says`, async () => {
    const expectation = expectations[example.name] ?? {};
    const served = await expectation.serve?.();
    try {
      let code = example.code;
      for (const [from, to] of served?.replace ?? []) code = code.split(from).join(to);
      // Never send traffic beyond loopback: a host the doc names needs a local stand-in above.
      assert.deepEqual(foreignHosts(code), [], `${example.name} names hosts with no local stand-in`);
      const result = await workspace.run(workspace.write(example, code));
      assert.ok(
        !result.hung,
        `${example.name} did not exit on its own (a server, socket or timer kept it alive)\n${result.stdout}\n${result.stderr}`,
      );
      assert.equal(result.code, 0, `${example.name} failed:\n${result.stdout}\n${result.stderr}`);
      expectation.check?.(result.stdout, served?.backends ?? []);
    } finally {
      await served?.close();
    }
  });
}
