/**
 * How the tests start the `headroom` command: from its TypeScript sources, with the library from
 * its sources too (the `headroom-source` export condition), from any working directory.
 */
import { mkdirSync, symlinkSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The command's entry point. */
export const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/** The node flags that run TypeScript sources (tsx resolved from here, so any cwd works). */
export const NODE_FLAGS: readonly string[] = ['--conditions=headroom-source', '--import', import.meta.resolve('tsx')];

/** `node` arguments that run `headroom <args…>`. */
export function commandArgs(...args: string[]): string[] {
  return [...NODE_FLAGS, MAIN, ...args];
}

/**
 * Links tsx's compile cache (`<tmpdir>/tsx-<uid>`, where tsx keeps the JavaScript it compiled) into
 * `dir`, so a command started with `TMPDIR=dir` reuses it instead of compiling the lab from cold in
 * the parent and in every replica: seconds per process on a quiet machine, tens of seconds on a busy
 * one. The tests that check a run leaves no temporary files ignore `tsx-*` already.
 */
export function shareCompileCache(dir: string): void {
  const name = `tsx-${userInfo().uid}`;
  mkdirSync(join(tmpdir(), name), { recursive: true });
  symlinkSync(join(tmpdir(), name), join(dir, name));
}
