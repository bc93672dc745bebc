/**
 * How the tests start the `headroom` command: from its TypeScript sources, with the library from
 * its sources too (the `headroom-source` export condition), from any working directory.
 */
import { fileURLToPath } from 'node:url';

/** The command's entry point. */
export const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/** The node flags that run TypeScript sources (tsx resolved from here, so any cwd works). */
export const NODE_FLAGS: readonly string[] = ['--conditions=headroom-source', '--import', import.meta.resolve('tsx')];

/** `node` arguments that run `headroom <args…>`. */
export function commandArgs(...args: string[]): string[] {
  return [...NODE_FLAGS, MAIN, ...args];
}
