/**
 * `headroom doctor`: checks what `npm test` needs — the Node version, Redis and PostgreSQL answering,
 * and a Chromium for the lab's headless-browser test.
 */
import type { Command } from 'commander';
import { connect } from 'node:net';
import { findChromium } from '../chromium.js';
import { renderTable } from 'headroom';

/** Registers `headroom doctor` on the program. */
export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description(
      'check the Node version, whether Redis and PostgreSQL answer on loopback, and whether a Chromium is installed (for the tests)',
    )
    .option('--redis <url>', 'Redis URL to check', 'redis://127.0.0.1:6379')
    .option('--store <url>', 'PostgreSQL URL to check', 'postgres://127.0.0.1:5432/test')
    .option('--timeout <ms>', 'connect timeout in ms', '1000')
    .action(async (opts: { redis: string; store: string; timeout: string }) => {
      const timeoutMs = Number(opts.timeout);
      if (!(timeoutMs > 0)) throw new Error(`--timeout must be a positive number of ms, got "${opts.timeout}"`);
      const major = Number(process.versions.node.split('.')[0]);
      const checks: { row: string[]; ok: boolean }[] = [
        { row: ['node', process.versions.node, major >= 20 ? 'ok' : 'needs Node 20 or newer'], ok: major >= 20 },
      ];
      for (const [name, url] of [
        ['redis', opts.redis],
        ['postgres', opts.store],
      ] as const) {
        const { hostname, port } = new URL(url);
        const defaultPort = name === 'redis' ? 6379 : 5432;
        const result = await probe(hostname, Number(port || defaultPort), timeoutMs);
        checks.push({ row: [name, `${hostname}:${port || defaultPort}`, result], ok: result === 'ok' });
      }
      const chromium = findChromium();
      checks.push(
        chromium.path === null
          ? { row: ['chromium', '–', chromium.problem], ok: false }
          : { row: ['chromium', chromium.path, `ok (${chromium.source}; used by the lab's browser test)`], ok: true },
      );
      process.stdout.write(
        `${renderTable(
          ['check', 'target', 'result'],
          checks.map((c) => c.row),
        )}\n`,
      );
      if (checks.some((c) => !c.ok)) process.exitCode = 1;
    });
}

function probe(host: string, port: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(timeoutMs);
    socket.once('connect', () => {
      socket.destroy();
      resolve('ok');
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(`no answer within ${timeoutMs} ms`);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}
