/**
 * Errors of the Toxiproxy-compatible API, with Toxiproxy's messages and status codes
 * (api.go: `{"error": "...", "status": N}`), so clients that match on them keep working.
 */

/** An API error: serialised as `{ "error": message, "status": status }` with that HTTP status. */
export class ToxiproxyApiError extends Error {
  /** The HTTP status. */
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.name = 'ToxiproxyApiError';
    this.status = status;
  }

  /** The JSON body Toxiproxy sends. */
  toJSON(): { error: string; status: number } {
    return { error: this.message, status: this.status };
  }
}

/** Toxiproxy's errors, by name (same messages and statuses as api.go). */
export const apiErrors = {
  badRequestBody: (detail: string) => new ToxiproxyApiError(`bad request body: ${detail}`, 400),
  missingField: (field: string) => new ToxiproxyApiError(`missing required field: ${field}`, 400),
  proxyNotFound: () => new ToxiproxyApiError('proxy not found', 404),
  proxyAlreadyExists: () => new ToxiproxyApiError('proxy already exists', 409),
  invalidStream: () => new ToxiproxyApiError('stream was invalid, can be either upstream or downstream', 400),
  invalidToxicType: () => new ToxiproxyApiError('invalid toxic type', 400),
  toxicAlreadyExists: () => new ToxiproxyApiError('toxic already exists', 409),
  toxicNotFound: () => new ToxiproxyApiError('toxic not found', 404),
  upstreamNotAllowed: (upstream: string) =>
    new ToxiproxyApiError(`upstream not allowed: ${upstream} is not on loopback; add it to the proxy server's allowUpstreams`, 403),
} as const;
