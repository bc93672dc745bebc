// Experiments against real processes: an HTTP service behind the chaos proxy, the real
// providers (fetch, the proxy API), live load probes as safeguards, rollbacks on every path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isHeadroomError } from '../../src/core/errors.js';
import {
  ChaosProxyServer,
  ExperimentInvalidError,
  realProviders,
  runExperiment,
  validateExperiment,
  type Experiment,
  type RunEvent,
} from '../../src/chaos/index.js';

async function stack(t: { after(fn: () => Promise<void> | void): void }): Promise<{ server: ChaosProxyServer; api: string; web: string }> {
  const service = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  const server = new ChaosProxyServer({ port: 0 });
  await server.start();
  const p = await server.createProxy({ name: 'web', upstream: `127.0.0.1:${(service.address() as AddressInfo).port}` });
  t.after(async () => {
    await server.stop();
    service.closeAllConnections();
    service.close();
  });
  return { server, api: `http://${server.address}`, web: `http://${p.listen}` };
}

function experiment(api: string, web: string, extra: Partial<Experiment> = {}): Experiment {
  return validateExperiment({
    title: 'web survives a broken upstream',
    'steady-state-hypothesis': {
      title: 'web answers 200',
      probes: [{ type: 'probe', name: 'health', provider: { type: 'http', url: `${web}/health`, timeout: '2s' }, tolerance: 200 }],
    },
    safeguards: {
      interval: '200ms',
      maxDuration: '20s',
      probes: [
        {
          type: 'probe',
          name: 'error-rate',
          provider: { type: 'load', url: `${web}/load`, rate: 40, window: '500ms' },
          tolerance: { type: 'range', target: 'errorRate', range: [0, 0.2] },
        },
      ],
    },
    method: [
      {
        type: 'action',
        name: 'fail every request',
        provider: {
          type: 'toxiproxy',
          api,
          proxy: 'web',
          op: 'add',
          toxic: { name: 'down', type: 'http_status', stream: 'upstream', attributes: { status: 503 } },
        },
        pauses: { after: '10s' },
      },
    ],
    rollbacks: [{ type: 'action', name: 'heal', provider: { type: 'toxiproxy', api, proxy: 'web', op: 'remove', name: 'down' } }],
    ...extra,
  });
}

test(
  'a tripped safeguard aborts at the first failing check (within one interval) and the rollbacks run',
  { timeout: 60_000 },
  async (t) => {
    const { server, api, web } = await stack(t);
    const events: RunEvent[] = [];
    const journal = await runExperiment(experiment(api, web), { providers: realProviders(), onEvent: (e) => events.push(e) });
    assert.equal(journal.status, 'aborted', journal.reason);
    assert.match(journal.reason!, /safeguard error-rate failed/);
    const fault = journal.runs.find((r) => r.name === 'fail every request')!;
    const samples = journal.samples.filter((s) => s.atMs >= fault.endMs);
    const firstBad = samples.findIndex((s) => !s.tolerated);
    assert.equal(firstBad, samples.length - 1, 'the run stopped at the first failing check: no check after it');
    const stopping = events.find((e) => e.type === 'stopping')!;
    assert.ok(
      stopping.type === 'stopping' && stopping.atMs - samples[firstBad]!.atMs < 200,
      'aborted at that check, not an interval later',
    );
    assert.ok(journal.durationMs < 8_000, `the 10 s pause was cut short (${journal.durationMs} ms)`);
    const rollback = journal.runs.find((r) => r.phase === 'rollback')!;
    assert.equal(rollback.status, 'succeeded');
    assert.deepEqual(server.toxics('web'), [], 'the toxic is gone');
    assert.equal(journal.faultWindows.length, 1);
    assert.equal(journal.faultWindows[0]!.startMs, fault.endMs);
  },
);

test('the duration cap aborts the method; the rollbacks still run', { timeout: 60_000 }, async (t) => {
  const { server, api, web } = await stack(t);
  const e = experiment(api, web);
  const capped = { ...e, safeguards: { interval: '100ms', maxDuration: '600ms' } };
  const journal = await runExperiment(validateExperiment(capped), { providers: realProviders() });
  assert.equal(journal.status, 'aborted');
  assert.match(journal.reason!, /duration cap/);
  assert.ok(journal.durationMs < 5_000);
  assert.deepEqual(server.toxics('web'), []);
});

test('an interrupt (the Ctrl-C signal) during the method runs the rollbacks', { timeout: 60_000 }, async (t) => {
  const { server, api, web } = await stack(t);
  const e = experiment(api, web);
  const ac = new AbortController();
  const run = runExperiment(validateExperiment({ ...e, safeguards: undefined }), {
    providers: realProviders(),
    signal: ac.signal,
    onEvent: (ev) => {
      if (ev.type === 'activity' && ev.run.name === 'fail every request') setTimeout(() => ac.abort(), 300);
    },
  });
  const journal = await run;
  assert.equal(journal.status, 'interrupted');
  assert.equal(journal.runs.find((r) => r.phase === 'rollback')!.status, 'succeeded');
  assert.deepEqual(server.toxics('web'), []);
});

test('a hypothesis that fails before the method stops the run before any fault', { timeout: 60_000 }, async (t) => {
  const { server, api, web } = await stack(t);
  server.addToxic('web', { name: 'pre', type: 'http_status', stream: 'upstream', attributes: { status: 500 } });
  const journal = await runExperiment(experiment(api, web, { safeguards: undefined } as unknown as Partial<Experiment>), {
    providers: realProviders(),
  });
  assert.equal(journal.status, 'failed');
  assert.equal(journal.steadyState.before, false);
  assert.equal(
    journal.runs.some((r) => r.phase === 'method'),
    false,
  );
});

test('bad experiment files: one error naming the path and the reason', () => {
  const cases: [unknown, string][] = [
    [{ method: [] }, 'title'],
    [{ title: 't', method: [] }, 'method'],
    [{ title: 't', method: [{ type: 'action', name: 'a', provider: { type: 'http', url: 'nope' } }] }, 'method[0].provider.url'],
    [
      { title: 't', method: [{ type: 'action', name: 'a', provider: { type: 'toxiproxy', proxy: 'p', op: 'smash' } }] },
      'method[0].provider.op',
    ],
    [
      { title: 't', method: [{ type: 'probe', name: 'p', provider: { type: 'http', url: 'http://x/' }, pauses: { after: 'soon' } }] },
      'method[0].pauses.after',
    ],
    [
      {
        title: 't',
        safeguards: { probes: [{ type: 'probe', name: 'p', provider: { type: 'http', url: 'http://x/' } }] },
        method: [{ type: 'probe', name: 'p', provider: { type: 'http', url: 'http://x/' } }],
      },
      'safeguards.probes[0].tolerance',
    ],
    [{ title: 't', methdo: [] }, 'methdo'],
  ];
  for (const [value, path] of cases) {
    assert.throws(
      () => validateExperiment(value, 'exp.yaml'),
      (e: unknown) =>
        isHeadroomError(e, 'HR_CHAOS_EXPERIMENT_INVALID') &&
        e instanceof ExperimentInvalidError &&
        e.path === path &&
        (e as Error).message.startsWith(`exp.yaml: ${path}: `),
      path,
    );
  }
});
