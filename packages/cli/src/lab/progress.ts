/**
 * Live progress on the terminal. On a TTY one status line is redrawn in place every interval;
 * otherwise (CI, a pipe) only whole lines are printed, one per phase, so logs stay readable.
 */

/** Where the lab reports progress. */
export interface Progress {
  /** A permanent line. */
  line(text: string): void;
  /** A transient status line (redrawn in place on a TTY, dropped otherwise). */
  status(text: string): void;
}

/** Progress on a writable stream (stderr by default). */
export function streamProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = stream.isTTY === true;
  // A closed terminal (SIGHUP) makes writes fail with EIO; progress is not worth dying for while
  // the lab is cleaning up.
  if (stream.listenerCount('error') === 0) stream.on('error', () => undefined);
  let hasStatus = false;
  const clear = (): void => {
    if (hasStatus) stream.write('\r\x1b[2K');
    hasStatus = false;
  };
  return {
    line(text) {
      clear();
      stream.write(`${text}\n`);
    },
    status(text) {
      if (!tty) return;
      clear();
      const width = stream.columns > 20 ? stream.columns - 1 : 120;
      stream.write(text.length > width ? text.slice(0, width) : text);
      hasStatus = true;
    },
  };
}

/** Progress that discards everything (for tests and library use). */
export const silentProgress: Progress = { line: () => undefined, status: () => undefined };
