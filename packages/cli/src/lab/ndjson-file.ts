/**
 * An NDJSON file written in batches: one JSON line per event, buffered in memory and appended
 * synchronously when its owner flushes (the lab's pick trace and the replicas' stall records).
 */
import { appendFileSync, writeFileSync } from 'node:fs';

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
