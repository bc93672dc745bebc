/**
 * An HTML report's file, for every verb that writes one: checked before the run (a path that
 * cannot be written must not throw away a finished run) and written after the tables are printed.
 */
import { closeSync, existsSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Resolves `path` and proves it can be written by opening it for appending (which neither
 * truncates an existing report nor, once the probe is removed, leaves an empty new file behind).
 * @param path - the path the user gave
 * @param invalid - builds the verb's own error from the system's reason (ENOENT, EISDIR, EACCES…)
 * @returns the absolute path
 * @throws what `invalid` returns, when the file cannot be written
 */
export function checkReportWritable(path: string, invalid: (reason: string) => Error): string {
  const absolute = resolve(path);
  const existed = existsSync(absolute);
  try {
    closeSync(openSync(absolute, 'a'));
  } catch (error) {
    throw invalid(describeFsError(error));
  }
  if (!existed) rmSync(absolute, { force: true });
  return absolute;
}

/**
 * Writes the report; returns null on success or the reason it failed (the folder may have gone
 * away during the run), so the caller can report it after the results are already printed.
 */
export function writeReport(absolutePath: string, html: string): string | null {
  try {
    writeFileSync(absolutePath, html);
    return null;
  } catch (error) {
    return describeFsError(error);
  }
}

function describeFsError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e.code !== undefined && e.message.startsWith(`${e.code}: `)) return e.message;
  return e.code === undefined ? String(e.message ?? error) : `${e.code}: ${e.message}`;
}
