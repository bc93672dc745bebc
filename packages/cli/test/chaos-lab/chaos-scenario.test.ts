/**
 * The lab's opt-in `chaos` scenario end to end through the CLI, at a modest size (2 s phase
 * duration: a 5 s timeline; 2,000 products; the local Redis at 127.0.0.1:6379): a replica is
 * SIGKILLed and the Redis tier stalled through the chaos proxy. Its invariants hold however busy
 * the machine is — no acknowledged write lost, the dead replica ejected, recovery measured — and
 * its HTML section draws both timeline charts offline. Nothing is left behind: no replica, no
 * Redis key of the run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { openReport } from '../report-browser.js';
import type { LabReport } from '../../src/lab/report/types.js';
import { commandArgs, shareCompileCache } from '../command.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test(
  'lab --scenario chaos: the dead replica is ejected, no acknowledged write is lost, recovery is measured, the report draws',
  { timeout: 180_000 },
  async (t) => {
    const work = mkdtempSync(join(tmpdir(), 'headroom-chaos-lab-'));
    const labTmp = join(work, 'tmp');
    mkdirSync(labTmp);
    shareCompileCache(labTmp);
    const reportPath = join(work, 'report.html');
    t.after(() => rmSync(work, { recursive: true, force: true }));
    const child = spawn(
      process.execPath,
      commandArgs(
        'lab',
        '--scenario',
        'chaos',
        '--duration',
        '2s',
        '--interval',
        '250ms',
        '--products',
        '2000',
        '--json',
        '--report',
        reportPath,
      ),
      { env: { ...process.env, TMPDIR: labTmp } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout) as LabReport;
    assert.deepEqual(report.scenarios, [], 'chaos alone runs no tour scenario');
    const chaos = report.chaos!;
    assert.ok(chaos !== undefined, 'the chaos result is in the JSON');

    // No acknowledged write lost; and the store never holds more writes than were sent.
    const w = chaos.writes;
    assert.ok(w.sent > 0 && w.acknowledged > 0, JSON.stringify(w));
    assert.equal(w.lost, 0, `acknowledged writes missing from the store: ${JSON.stringify(w)}`);
    assert.ok(w.present >= w.acknowledged && w.present <= w.sent, JSON.stringify(w));
    assert.equal(w.acknowledged + w.answeredError + w.unanswered, w.sent);

    // The killed replica failed some requests, then the balancer ejected it; recovery is a measured time.
    assert.ok(chaos.kill.failures > 0, 'killing a replica under load fails some requests');
    assert.ok(chaos.kill.ejectedAfterSec !== null, `replica 0 was never ejected: ${chaos.verdict}`);
    assert.ok(chaos.kill.ejectedAfterSec >= 0 && chaos.kill.ejectedAfterSec < chaos.events.stallSec - chaos.events.killSec);
    assert.ok(Number.isFinite(chaos.kill.recoverySec) && chaos.kill.recoverySec >= 0);
    assert.deepEqual(
      chaos.stages.map((s) => s.label),
      ['steady', 'replica 0 killed', 'Redis stalled', 'healed'],
    );
    assert.ok(chaos.timeline.length >= 10, `a point every 250 ms over 5 s: ${chaos.timeline.length}`);
    // The replicas were all stopped (the killed one and the others).
    const pids = [...stderr.matchAll(/pid (\d+)/g)].map((m) => Number(m[1]));
    assert.ok(pids.length > 0);
    for (const pid of pids) assert.equal(alive(pid), false, `replica pid ${pid} still running`);
    // Only tsx's compile cache (tsx-<uid>, when running from TypeScript sources) may remain.
    assert.deepEqual(
      readdirSync(labTmp).filter((name) => !name.startsWith('tsx-')),
      [],
      'the temporary store folder was removed',
    );
    // The run's Redis keys were removed.
    const redis = createClient({ url: 'redis://127.0.0.1:6379' });
    await redis.connect();
    try {
      const left = [...(await redis.keys(`headroom-lab:${child.pid}_*`)), ...(await redis.keys(`{headroom-lab:${child.pid}_*`))];
      assert.deepEqual(left, []);
    } finally {
      redis.destroy();
    }

    const { page, requests, pageErrors, close } = await openReport(reportPath, '__labChaosCharts', "the lab's HTML report (chaos section)");
    try {
      const status = (await page.evaluate('window.__labChaosCharts')) as { expected: number; rendered: number; errors: string[] };
      assert.deepEqual(status, { expected: 2, rendered: 2, errors: [] });
      assert.deepEqual(pageErrors, []);
      assert.deepEqual(requests, [], 'the report needs no network');
    } finally {
      await close();
    }
  },
);
