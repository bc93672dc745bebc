/**
 * An NDJSON file written in batches: one JSON line per event, buffered in memory and appended
 * synchronously when its owner flushes (the lab's pick trace and the replicas' stall records); and
 * reading such a text back, event by event.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { HistogramFileError } from 'headroom/sim';

/** A file of one JSON line per event, appended in batches. */
export class NdjsonFile {
  /** The file's path. */
  readonly path: string;
  #lines: string[] = [];

  /** Creates (truncates) the file. */
  constructor(path: string) {
    this.path = path;
    writeFileSync(path, '');
  }

  /** Buffers one event as a line; returns how many lines are buffered now. */
  write(event: Record<string, unknown>): number {
    return this.#lines.push(JSON.stringify(event));
  }

  /** Appends the buffered lines to the file. */
  flush(): void {
    if (this.#lines.length === 0) return;
    appendFileSync(this.path, `${this.#lines.join('\n')}\n`);
    this.#lines = [];
  }
}

/**
 * The events of an NDJSON text, each in order; blank lines are skipped, and so
 * is any line `keep` turns down before it is parsed (to skip lines by a cheap text test).
 * @param what - what the text is, for the error ("the pick trace")
 * @throws HR_SIM_INVALID_HISTOGRAM (`HistogramFileError`, as for `sim-vs-lab`'s other inputs) naming the line that is not JSON
 */
export function* ndjsonEvents<E>(ndjson: string, path: string, what: string, keep: (line: string) => boolean = () => true): Generator<E> {
  const lines = ndjson.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    if (line.trim() === '' || !keep(line)) continue;
    let e: E;
    try {
      e = JSON.parse(line) as E;
    } catch {
      throw new HistogramFileError(path, `line ${n + 1} of ${what} is not JSON: ${line.slice(0, 80)}`);
    }
    yield e;
  }
}
