/**
 * The `headroom sim` flags that change a scenario (--servers, --rps, --duration, --histogram),
 * applied to the base model and every variant, each refused with a reason where it would be ambiguous.
 */
import { ScenarioError, type DistributionSpec, type Scenario, type ModelSpec, type VariantSpec } from 'headroom/sim';

/** Flags that change the model. */
export interface ModelOverrides {
  readonly servers?: number;
  readonly rps?: number;
  readonly duration?: string;
  /** Service time of every server group (from --histogram). */
  readonly service?: DistributionSpec;
}

function apply(m: Partial<ModelSpec>, o: ModelOverrides, path: string): Partial<ModelSpec> {
  let out = { ...m };
  if (o.servers !== undefined && m.servers !== undefined) {
    if (m.servers.length !== 1)
      throw new ScenarioError(`${path}.servers`, `--servers needs a single server group, this has ${m.servers.length}`);
    out = { ...out, servers: [{ ...m.servers[0]!, count: o.servers }] };
  }
  if (o.rps !== undefined && m.arrivals !== undefined) {
    if (m.arrivals.type !== 'poisson' && m.arrivals.type !== 'constant')
      throw new ScenarioError(`${path}.arrivals`, `--rps sets a fixed rate; this scenario's arrivals are ${m.arrivals.type}`);
    out = { ...out, arrivals: { ...m.arrivals, ratePerSec: o.rps } };
  }
  if (o.service !== undefined && m.servers !== undefined) {
    const service = o.service;
    out = { ...out, servers: m.servers.map((g) => ({ ...g, service })) };
  }
  if (o.duration !== undefined && m.duration !== undefined) {
    out = { ...out, duration: o.duration };
    if (m.warmup !== undefined) {
      const { warmup: _dropped, ...rest } = out;
      out = rest;
    }
  }
  return out;
}

/**
 * What the flags changed, as a sentence for the scenario's description (whose own figures they may
 * have replaced: the what-if's "at 2,000 req/s" run with --rps 15000), or '' when none did.
 */
export function overridesNote(o: ModelOverrides): string {
  const changes = [
    ...(o.servers === undefined ? [] : [`${o.servers.toLocaleString('en-US')} servers (--servers)`]),
    ...(o.rps === undefined ? [] : [`${o.rps.toLocaleString('en-US')} req/s (--rps)`]),
    ...(o.duration === undefined ? [] : [`${o.duration} simulated (--duration)`]),
    ...(o.service === undefined ? [] : ['service time from the recorded histogram (--histogram)']),
  ];
  return changes.length === 0 ? '' : `Changed by flags: ${changes.join(', ')}.`;
}

/**
 * The scenario with the flags applied (a given --duration also drops a fixed warm-up: 10% of it);
 * its description then ends with what they changed ({@link overridesNote}).
 */
export function applyOverrides(s: Scenario, o: ModelOverrides): Scenario {
  const note = overridesNote(o);
  return {
    ...s,
    ...(note === '' ? {} : { description: s.description === undefined ? note : `${s.description} ${note}` }),
    model: apply(s.model, o, 'model') as ModelSpec,
    ...(s.variants === undefined ? {} : { variants: s.variants.map((v, i) => apply(v, o, `variants.${i}`) as VariantSpec) }),
  };
}
