// What the simulator's client stalls assume of Node (docs/sim.md, "Client event-loop stalls and
// peak-EWMA's decay τ"): after a blocked turn, which runs first — a timer that came due during the
// block, or the answer that arrived during it? A real socket to another process (so the answer
// really arrives while this one is blocked) shows that it depends on the phase the block fell in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';

const ECHO = `
const net = require('node:net');
const server = net.createServer((s) => s.on('data', () => s.write('pong'))).listen(0, '127.0.0.1', () => process.send(server.address().port));
process.on('disconnect', () => server.close(() => process.exit(0)));
`;
// Long enough that the other process answers within it on a busy machine.
const BLOCK_MS = 300;

/** Sends a ping, sets a 10 ms timer, blocks for BLOCK_MS; resolves with what ran first. */
function race(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    const order: string[] = [];
    const seen = (what: string) => {
      order.push(what);
      if (order.length === 2) resolve(order.join(' then '));
    };
    socket.write('ping');
    setTimeout(() => seen('timer'), 10).unref();
    socket.once('data', () => seen('answer'));
    const t0 = performance.now();
    while (performance.now() - t0 < BLOCK_MS) {
      /* the stall */
    }
  });
}

test('Node after a stall: blocked in an I/O callback, the due timers run first; blocked in a timer, the answers do', async () => {
  const echo = spawn(process.execPath, ['-e', ECHO], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      echo.once('message', (p) => resolve(p as number));
      echo.once('exit', (code) => reject(new Error(`the echo process exited (${code}) before it listened`)));
    });
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    try {
      // in an I/O callback (the poll phase): the loop's timers phase comes next, then the poll phase
      const fromIo = await new Promise<string>((resolve) => {
        socket.once('data', () => void race(socket).then(resolve));
        socket.write('ping');
      });
      assert.equal(fromIo, 'timer then answer');
      // in a timer callback (the timers phase): the poll phase comes next, the new timer after it
      const fromTimer = await new Promise<string>((resolve) => setTimeout(() => void race(socket).then(resolve), 1));
      assert.equal(fromTimer, 'answer then timer');
    } finally {
      socket.destroy();
    }
  } finally {
    echo.disconnect();
  }
});
