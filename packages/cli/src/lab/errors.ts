/**
 * The lab's error codes (listed in docs/errors.md, section "lab"). Every failure the lab reports
 * to a person is one of these, so the CLI can print one clear line and exit non-zero.
 */
import { HeadroomError, InvalidOptionError } from 'headroom';

/** A lab option has a bad value (names the option, the value and the fix). */
export function invalidLabOption(option: string, value: unknown, expected: string): InvalidOptionError {
  return new InvalidOptionError(option, value, expected, 'HR_LAB_INVALID_OPTION');
}

/** `--scenario` names no known scenario. */
export function unknownScenario(name: string, known: readonly string[]): HeadroomError {
  return new HeadroomError(
    'HR_LAB_UNKNOWN_SCENARIO',
    `Unknown scenario "${name}"; choose one of: ${known.join(', ')} (or omit --scenario for the whole tour).`,
    { details: { scenario: name, known } },
  );
}

/** The store (`--store`) could not be opened or reached. */
export function storeUnreachable(url: string, cause: unknown): HeadroomError {
  return new HeadroomError(
    'HR_LAB_STORE_UNREACHABLE',
    `Cannot reach the store at ${redactUrl(url)}: ${reason(cause)}. Check --store (e.g. postgres://127.0.0.1:5432/test) or omit it to use an embedded SQLite file.`,
    { cause, details: { store: redactUrl(url) } },
  );
}

/** Redis (`--redis`) could not be reached. */
export function redisUnreachable(url: string, cause: unknown): HeadroomError {
  return new HeadroomError(
    'HR_LAB_REDIS_UNREACHABLE',
    `Cannot reach Redis at ${redactUrl(url)}: ${reason(cause)}. Check --redis (e.g. redis://127.0.0.1:6379) or omit it to cache in-process only.`,
    { cause, details: { redis: redactUrl(url) } },
  );
}

/** A replica could not listen on its requested port. */
export function portInUse(port: number, replica: number): HeadroomError {
  return new HeadroomError(
    'HR_LAB_PORT_IN_USE',
    `Port ${port} on 127.0.0.1 is already in use (replica ${replica}); choose another --base-port or omit it to let the OS assign free ports.`,
    { details: { port, replica } },
  );
}

/**
 * This user may not listen on a replica's port (EACCES): below the kernel's unprivileged-port
 * limit a port needs root or CAP_NET_BIND_SERVICE. Not "in use": another port number helps, waiting does not.
 */
export function portDenied(port: number, basePort: number, privilegedBelow: number): InvalidOptionError {
  return invalidLabOption(
    '--base-port',
    basePort,
    `this user may not listen on port ${port} of 127.0.0.1 (EACCES: ports below ${privilegedBelow} need root or CAP_NET_BIND_SERVICE); ` +
      `use ${privilegedBelow} or above, or omit --base-port to let the OS assign free ports`,
  );
}

/** A replica process exited while the lab needed it. */
export function replicaDied(replica: number, pid: number | undefined, cause: string): HeadroomError {
  return new HeadroomError('HR_LAB_REPLICA_DIED', `Replica ${replica} (pid ${pid ?? '?'}) died: ${cause}.`, {
    details: { replica, pid, cause },
  });
}

/** The run was stopped by the user (Ctrl-C / SIGINT / SIGTERM). */
export function interrupted(signalName: string): HeadroomError {
  return new HeadroomError('HR_LAB_INTERRUPTED', `Interrupted by ${signalName}; every replica was stopped and temporary files removed.`, {
    details: { signal: signalName },
  });
}

/** Hides a password in a connection URL before it is printed. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

function reason(cause: unknown): string {
  if (cause instanceof AggregateError && cause.errors.length > 0) return reason(cause.errors[0]);
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code !== undefined && !cause.message.includes(code) ? `${code} ${cause.message}` : cause.message;
  }
  return String(cause);
}
