/**
 * The HTML report's file: checked before the run (a path that cannot be written must not throw
 * away a finished tour) and written after the tables are printed.
 */
import { closeSync, existsSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { invalidLabOption } from '../errors.js';

/**
 * Resolves `path` and proves it can be written by opening it for appending (which neither
 * truncates an existing report nor, once the probe is removed, leaves an empty new file behind).
 * @returns the absolute path
 * @throws HR_LAB_INVALID_OPTION naming `--report`, the path and the system's reason (ENOENT, EISDIR, EACCES…)
 */
export function checkReportWritable(path: string): string {
  const absolute = resolve(path);
  const existed = existsSync(absolute);
  try {
    closeSync(openSync(absolute, 'a'));
  } catch (error) {
    throw invalidLabOption('--report', path, `use a file this user can write (${describeFsError(error)}), or --no-report`);
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
