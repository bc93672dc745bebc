// `headroom chaos run` as a user runs it: a YAML experiment against a real HTTP service behind
// the chaos proxy; Ctrl-C (SIGINT) during the method runs the rollbacks; bad files fail in one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChaosProxyServer, type Journal } from 'headroom/chaos';
import { commandArgs } from '../command.js';

function yaml(api: string, web: string): string {
  return `title: web survives a broken upstream
steady-state-hypothesis:
  title: web answers 200
  probes:
    - type: probe
      name: health
      provider: { type: http, url: "${web}/health", timeout: 2s }
      tolerance: 200
method:
  - type: action
    name: break the upstream
    provider:
      type: toxiproxy
      api: "${api}"
      proxy: web
      op: add
      toxic: { name: down, type: http_status, stream: upstream, attributes: { status: 503 } }
    pauses: { after: 30s }
rollbacks:
  - type: action
    name: heal
    provider: { type: toxiproxy, api: "${api}", proxy: web, op: remove, name: down }
`;
}

test('Ctrl-C during the method: the rollbacks run, the journal and report are written, exit 130', { timeout: 90_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hr-chaos-'));
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
  writeFileSync(join(dir, 'exp.yaml'), yaml(`http://${server.address}`, `http://${p.listen}`));
  const child = spawn(process.execPath, commandArgs('chaos', 'run', 'exp.yaml'), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('break the upstream') && server.toxics('web').length === 1) child.kill('SIGINT');
  });
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 130, out);
  assert.deepEqual(server.toxics('web'), [], 'the rollback removed the toxic');
  const journal = JSON.parse(readFileSync(join(dir, 'chaos-journal.json'), 'utf8')) as Journal;
  assert.equal(journal.status, 'interrupted');
  assert.equal(journal.runs.find((r) => r.phase === 'rollback')?.status, 'succeeded');
  assert.equal(journal.faultWindows.length, 1);
  const html = readFileSync(join(dir, 'chaos-report.html'), 'utf8');
  assert.match(html, /"windows":\[\{"name":"web\/down"/);
});

test('a bad experiment file fails with one line naming the path and the reason', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hr-chaos-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'bad.yaml'), 'title: t\nmethod:\n  - type: action\n    name: a\n    provider: { type: http, url: nowhere }\n');
  const child = spawn(process.execPath, commandArgs('chaos', 'run', 'bad.yaml'), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 1);
  assert.equal(err.trim().split('\n').length, 1, err);
  assert.match(err, /bad\.yaml: method\[0\]\.provider\.url: must be an absolute URL/);
  assert.equal(existsSync(join(dir, 'chaos-journal.json')), false);
});
