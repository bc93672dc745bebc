// `headroom chaos run`'s HTML report opened in headless Chromium, offline: a short experiment with
// a live load safeguard and one fault window (a latency toxic added, then removed) draws one chart
// per safeguard value, and the fault window is shaded behind the lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChaosProxyServer, type Journal } from 'headroom/chaos';
import { commandArgs } from '../command.js';
import { openReport } from '../report-browser.js';

function experiment(api: string, web: string): string {
  return `title: latency on the way to web
steady-state-hypothesis:
  title: web answers 200
  probes:
    - type: probe
      name: health
      provider: { type: http, url: "${web}/health", timeout: 5s }
      tolerance: 200
safeguards:
  interval: 250ms
  maxDuration: 60s
  probes:
    - type: probe
      name: load
      provider: { type: load, url: "${web}/load", rate: 20, window: 1s, timeout: 5s }
      tolerance: { type: range, target: errorRate, range: [0, 1] }
method:
  - type: action
    name: slow web down
    provider:
      type: toxiproxy
      api: "${api}"
      proxy: web
      op: add
      toxic: { name: slow, type: latency, stream: downstream, attributes: { latency: 100 } }
    pauses: { after: 1500ms }
  - type: action
    name: heal web
    provider: { type: toxiproxy, api: "${api}", proxy: web, op: remove, name: slow }
    pauses: { after: 1s }
rollbacks:
  - type: action
    name: reset
    provider: { type: toxiproxy, api: "${api}", op: reset }
`;
}

test('the experiment report draws every chart offline, the fault window shaded', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hr-chaos-report-'));
  const service = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  const server = new ChaosProxyServer({ port: 0 });
  await server.start();
  t.after(async () => {
    await server.stop();
    service.closeAllConnections();
    service.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const p = await server.createProxy({ name: 'web', upstream: `127.0.0.1:${(service.address() as AddressInfo).port}` });
  writeFileSync(join(dir, 'exp.yaml'), experiment(`http://${server.address}`, `http://${p.listen}`));
  const child = spawn(process.execPath, commandArgs('chaos', 'run', 'exp.yaml'), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 0, out);
  const journal = JSON.parse(readFileSync(join(dir, 'chaos-journal.json'), 'utf8')) as Journal;
  assert.equal(journal.faultWindows.length, 1);
  assert.ok(journal.samples.length >= 2, 'the safeguard was sampled during the run');

  const { page, requests, pageErrors, close } = await openReport(join(dir, 'chaos-report.html'), '__chaosCharts', 'the chaos report');
  try {
    // For each chart: the pixel column through the middle of the fault window is mostly the pale
    // red shade (translucent, red-dominant), the column just before the window has none of it.
    const charts = (await page.evaluate(`(() => {
      const data = JSON.parse(document.getElementById('chaos-data').textContent);
      const w = data.windows[0];
      return [...document.querySelectorAll('canvas[data-chart]')].map((c) => {
        const chart = window.Chart.getChart(c);
        const area = chart.chartArea;
        const ratio = c.width / c.clientWidth;
        const shadedShare = (x) => {
          const top = Math.round(area.top * ratio), height = Math.round((area.bottom - area.top) * ratio);
          const px = c.getContext('2d').getImageData(Math.round(x * ratio), top, 1, height).data;
          let shaded = 0;
          for (let i = 0; i < px.length; i += 4) if (px[i + 3] > 0 && px[i + 3] < 128 && px[i] > px[i + 1] && px[i] > px[i + 2]) shaded++;
          return shaded / height;
        };
        const from = chart.scales.x.getPixelForValue(w.from), to = chart.scales.x.getPixelForValue(w.to);
        return { inside: shadedShare((from + to) / 2), outside: from - 6 > area.left + 2 ? shadedShare(from - 6) : null,
          plugin: chart.config.plugins.some((p) => p.id === 'faultWindows') };
      });
    })()`)) as { inside: number; outside: number | null; plugin: boolean }[];
    const status = (await page.evaluate('window.__chaosCharts')) as { expected: number; rendered: number; errors: string[] };
    assert.ok(status.expected >= 1, 'at least one safeguard chart');
    assert.deepEqual(status.errors, []);
    assert.equal(status.rendered, status.expected);
    for (const c of charts) {
      assert.ok(c.plugin, 'the fault-window plugin is on the chart');
      assert.ok(c.inside > 0.5, `most of the column inside the fault window is shaded: ${c.inside.toFixed(2)}`);
      if (c.outside !== null) assert.equal(c.outside, 0, 'the column before the window is not shaded');
    }
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(requests, [], 'the report needs no network');
  } finally {
    await close();
  }
});
