/**
 * Toxic specifications: the JSON a client sends (Toxiproxy's shape: name, type, stream,
 * toxicity, attributes) parsed into a validated {@link ToxicSpec}, with Toxiproxy's defaults
 * (stream `downstream`, toxicity 1, name `<type>_<stream>`, attributes 0 when omitted).
 *
 * Toxiproxy's toxics (toxics/*.go): latency {latency, jitter} ms; bandwidth {rate} KB/s;
 * slow_close {delay} ms; timeout {timeout} ms (0: hold the data until removed); reset_peer
 * {timeout} ms; slicer {average_size, size_variation} bytes and {delay} µs; limit_data {bytes}.
 * Beyond Toxiproxy: loss {probability, rto ms} (a lost segment stalls the stream for a
 * retransmission timeout, doubling while losses repeat, as TCP would), and the HTTP/1.1 toxics
 * http_status {status, probability, path_prefix}, http_fail_first {count, status, path_prefix} and
 * http_latency {latency, jitter, path_prefix} (upstream only: they act on requests).
 */
import { apiErrors, ToxiproxyApiError } from './api-error.js';

/** A stream direction: `upstream` = client → server, `downstream` = server → client. */
export type ToxicStream = 'upstream' | 'downstream';

/** A toxic as stored and shown by the API. */
export interface ToxicSpec {
  readonly name: string;
  readonly type: ToxicType;
  readonly stream: ToxicStream;
  /** Share of connections the toxic affects, drawn once per connection (and again on update). */
  readonly toxicity: number;
  readonly attributes: Readonly<Record<string, number | string>>;
}

/** Attribute names and defaults of each toxic type. */
export const TOXIC_ATTRIBUTES = {
  latency: { latency: 0, jitter: 0 },
  bandwidth: { rate: 0 },
  slow_close: { delay: 0 },
  timeout: { timeout: 0 },
  reset_peer: { timeout: 0 },
  slicer: { average_size: 0, size_variation: 0, delay: 0 },
  limit_data: { bytes: 0 },
  noop: {},
  loss: { probability: 0, rto: 200 },
  http_status: { status: 503, probability: 1, path_prefix: '' },
  http_fail_first: { count: 1, status: 503, path_prefix: '' },
  http_latency: { latency: 0, jitter: 0, path_prefix: '' },
} as const satisfies Record<string, Record<string, number | string>>;

/** Every toxic type this proxy knows. */
export type ToxicType = keyof typeof TOXIC_ATTRIBUTES;

/** True for the HTTP-aware toxics (which parse HTTP/1.1 requests on the upstream stream). */
export function isHttpToxic(type: ToxicType): boolean {
  return type.startsWith('http_');
}

/**
 * Parses a toxic creation body.
 * @throws ToxiproxyApiError 400 for a bad body, stream or type (Toxiproxy's messages)
 */
export function parseToxic(body: unknown): ToxicSpec {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw apiErrors.badRequestBody('expected a JSON object');
  const input = body as Record<string, unknown>;
  const stream = input['stream'] ?? 'downstream';
  if (stream !== 'upstream' && stream !== 'downstream') throw apiErrors.invalidStream();
  const type = input['type'];
  if (typeof type !== 'string' || !Object.hasOwn(TOXIC_ATTRIBUTES, type)) throw apiErrors.invalidToxicType();
  const t = type as ToxicType;
  if (isHttpToxic(t) && stream !== 'upstream') throw apiErrors.badRequestBody(`${t} acts on requests: set "stream": "upstream"`);
  const name = input['name'] === undefined || input['name'] === '' ? `${t}_${stream}` : input['name'];
  if (typeof name !== 'string') throw apiErrors.badRequestBody('name must be a string');
  return {
    name,
    type: t,
    stream,
    toxicity: toxicity(input['toxicity'], 1),
    attributes: attributes(t, input['attributes'], TOXIC_ATTRIBUTES[t]),
  };
}

/**
 * Applies an update body (`{ attributes?, toxicity? }`) to a toxic: given attributes replace
 * the old ones, omitted ones and toxicity are kept (as Toxiproxy decodes over the old values).
 * @throws ToxiproxyApiError 400 for a bad body
 */
export function updateToxic(spec: ToxicSpec, body: unknown): ToxicSpec {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw apiErrors.badRequestBody('expected a JSON object');
  const input = body as Record<string, unknown>;
  return {
    ...spec,
    toxicity: toxicity(input['toxicity'], spec.toxicity),
    attributes: attributes(spec.type, input['attributes'], spec.attributes),
  };
}

function toxicity(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw apiErrors.badRequestBody('toxicity must be a number between 0 and 1');
  return value;
}

function attributes(
  type: ToxicType,
  value: unknown,
  base: Readonly<Record<string, number | string>>,
): Readonly<Record<string, number | string>> {
  const out: Record<string, number | string> = { ...base };
  if (value === undefined || value === null) return out;
  if (typeof value !== 'object' || Array.isArray(value)) throw apiErrors.badRequestBody('attributes must be an object');
  const known = TOXIC_ATTRIBUTES[type] as Record<string, number | string>;
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (!Object.hasOwn(known, key)) continue; // Go's decoder ignores unknown fields
    const kind = typeof known[key];
    if (typeof v !== kind || (kind === 'number' && !Number.isFinite(v))) {
      throw new ToxiproxyApiError(`bad request body: attributes.${key} of ${type} must be a ${kind}`, 400);
    }
    if (kind === 'number' && (v as number) < 0 && key !== 'jitter') {
      throw new ToxiproxyApiError(`bad request body: attributes.${key} of ${type} must be ≥ 0`, 400);
    }
    out[key] = v as number | string;
  }
  return out;
}
