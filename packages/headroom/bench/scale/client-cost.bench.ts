/**
 * Where a load generator's CPU goes per request (run: `npm run bench -- scale/client-cost`): four
 * ways of sending the same closed loop — 100 connections, 3 s each, against one nginx process
 * (or, without nginx, the Node server of server.child.ts) — measured in this process as CPU time
 * (user + system, `process.cpuUsage`) over requests completed. Three rounds, the order rotating;
 * the load average beside every row.
 *
 * - undici `Pool.request` + `body.dump()`: what HttpTarget did before (a Readable per response);
 * - undici `Pool.dispatch` with a handler object, callbacks only: the library's floor;
 * - HttpTarget in runClosedLoop: dispatch, a promise per request, the recorder — what one
 *   `headroom scale run` thread runs;
 * - a raw socket with a minimal parser (Content-Length only, no errors, no pipelining): not a
 *   client, a floor for what any JavaScript HTTP/1.1 client could cost here.
 */
import { connect } from 'node:net';
import { loadavg } from 'node:os';
import { Pool } from 'undici';
import { classifyHttp, HttpTarget, runClosedLoop } from '../../src/scale/index.js';
import { report, type ReportTable } from '../harness.js';
import { nginxPath, range, startNginx, startServer, type BenchServer } from './tools.js';

const ROUNDS = 3;
const CONNECTIONS = 100;
const SECONDS = 3;

type Variant = { readonly name: string; readonly run: (url: string) => Promise<number> };

/** Runs `users` loops of `send` until the time is up; resolves with the requests completed. */
function loop(users: number, send: (done: () => void) => void): Promise<number> {
  return new Promise((resolve) => {
    let completed = 0;
    let running = users;
    let stop = false;
    setTimeout(() => (stop = true), SECONDS * 1000);
    const next = (): void => {
      if (stop) {
        if (--running === 0) resolve(completed);
        return;
      }
      send(() => {
        completed++;
        next();
      });
    };
    for (let i = 0; i < users; i++) next();
  });
}

const variants: Variant[] = [
  {
    name: 'undici request + body.dump',
    run: async (url) => {
      const pool = new Pool(new URL(url).origin, { connections: CONNECTIONS });
      const n = await loop(CONNECTIONS, (done) => {
        void pool
          .request({ path: '/', method: 'GET' })
          .then((r) => r.body.dump())
          .then(done, done);
      });
      await pool.close();
      return n;
    },
  },
  {
    name: 'undici dispatch, callbacks',
    run: async (url) => {
      const pool = new Pool(new URL(url).origin, { connections: CONNECTIONS });
      const opts = { path: '/', method: 'GET' as const };
      const n = await loop(CONNECTIONS, (done) => {
        pool.dispatch(opts, { onRequestStart() {}, onResponseStart() {}, onResponseData() {}, onResponseEnd: done, onResponseError: done });
      });
      await pool.close();
      return n;
    },
  },
  {
    name: 'HttpTarget in runClosedLoop',
    run: async (url) => {
      const target = new HttpTarget(url, { connections: CONNECTIONS });
      const r = await runClosedLoop(target.send, { concurrency: CONNECTIONS, duration: SECONDS * 1000, classify: classifyHttp });
      await target.close();
      return r.sent;
    },
  },
  {
    name: 'raw socket, minimal parser (floor)',
    run: async (url) => {
      const { hostname, port, host } = new URL(url);
      const request = Buffer.from(`GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
      const sockets = Array.from({ length: CONNECTIONS }, () => connect(Number(port), hostname));
      await Promise.all(sockets.map((s) => new Promise((resolve) => s.once('connect', resolve))));
      let i = 0;
      const n = await loop(CONNECTIONS, (done) => {
        const socket = sockets[i++ % CONNECTIONS]!;
        let text = '';
        const onData = (chunk: Buffer): void => {
          text += chunk.toString('latin1');
          const end = text.indexOf('\r\n\r\n');
          if (end < 0) return;
          const length = Number(/content-length: *(\d+)/i.exec(text.slice(0, end))?.[1] ?? 0);
          if (text.length < end + 4 + length) return;
          socket.off('data', onData);
          done();
        };
        socket.on('data', onData);
        socket.write(request);
      });
      for (const s of sockets) s.destroy();
      return n;
    },
  },
];

report(
  `scale: CPU per request of four HTTP clients (closed loop, ${CONNECTIONS} connections, ${SECONDS} s)`,
  async (): Promise<ReportTable> => {
    const nginx = await nginxPath();
    const server: BenchServer = nginx === null ? await startServer('instant') : await startNginx(nginx);
    const cpu = new Map<string, number[]>(variants.map((v) => [v.name, []]));
    const rows: (string | number)[][] = [];
    try {
      for (let round = 0; round < ROUNDS; round++) {
        for (const v of variants.map((_, i) => variants[(i + round) % variants.length]!)) {
          const before = process.cpuUsage();
          const requests = await v.run(server.url);
          const used = process.cpuUsage(before);
          const us = (used.user + used.system) / requests;
          cpu.get(v.name)!.push(us);
          rows.push([round + 1, v.name, Math.round(requests / SECONDS), us.toPrecision(3), loadavg()[0]!.toFixed(2)]);
        }
      }
    } finally {
      await server.stop();
    }
    const notes = [`server: ${nginx === null ? 'the Node server (nginx is not installed)' : 'one nginx process'}`];
    for (const [name, values] of cpu) notes.push(`${name}: ${range(values)} µs CPU per request`);
    return { header: ['round', 'client', 'req/s', 'CPU µs/req', 'load1'], rows, notes };
  },
);
