/**
 * `headroom` commands as child processes for the scale tests: started from the TypeScript sources,
 * their output collected, a wait for a line on stderr, and every one still running killed at the
 * end of a test file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { commandArgs } from '../command.js';

/** A started command. */
export interface Running {
  readonly child: ChildProcess;
  /** Its stderr so far. */
  stderr: string;
  /** Resolves when it exits, with its status and output. */
  readonly exited: Promise<{ status: number | null; stdout: string; stderr: string }>;
}

const children = new Set<ChildProcess>();

/** Starts `headroom <args…>`. */
export function headroom(...args: string[]): Running {
  const child = spawn(process.execPath, commandArgs(...args));
  children.add(child);
  let stdout = '';
  const running: Running = {
    child,
    stderr: '',
    exited: new Promise((resolve) =>
      child.once('exit', (status) => {
        children.delete(child);
        resolve({ status, stdout, stderr: running.stderr });
      }),
    ),
  };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (running.stderr += d));
  return running;
}

/** Resolves once `running`'s stderr matches `pattern` (or rejects when it exits first). */
export function waitFor(running: Running, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (pattern.test(running.stderr)) {
        running.child.stderr!.off('data', check);
        resolve();
      }
    };
    running.child.stderr!.on('data', check);
    void running.exited.then((r) => reject(new Error(`exited before ${pattern}: ${r.stderr}`)));
    check();
  });
}

/** Kills (SIGKILL) every command still running. */
export function killAll(): void {
  for (const child of children) child.kill('SIGKILL');
}
