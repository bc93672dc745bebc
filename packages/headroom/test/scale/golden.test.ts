import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitUsl, predictUsl, uslThroughput } from 'headroom/scale';
import { CISCO, RAYTRACER, SPECSDM91, measurements } from './datasets.js';

/** |actual − expected| ≤ 1e-4 · |expected|: equal to 4 significant digits. */
function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-4 * Math.abs(expected), `${what}: got ${actual}, published ${expected}`);
}

/** `actual` rounds to `printed`, a value published with `decimals` decimals. */
function printed(actual: number, value: number, decimals: number, what: string): void {
  assert.ok(Math.abs(actual - value) <= 0.5 * 10 ** -decimals + 1e-12, `${what}: got ${actual}, printed ${value}`);
}

test('USL fit equals R usl on raytracer: β hits its bound 0, coefficients, standard errors and confint as the vignette prints them', () => {
  const fit = fitUsl(measurements(RAYTRACER));
  close(fit.coefficients.alpha, 0.0577708, 'alpha');
  assert.equal(fit.coefficients.beta, 0, 'beta sits exactly on its lower bound');
  close(fit.coefficients.gamma, 21.84884, 'gamma');
  assert.deepEqual(fit.atBound, ['beta']);
  close(fit.estimates.alpha.standardError, 0.013293, 'SE alpha');
  printed(fit.estimates.beta.standardError, 0.000118, 6, 'SE beta');
  close(fit.estimates.gamma.standardError, 2.196166, 'SE gamma');
  printed(fit.sigma, 9.34, 2, 'residual standard error');
  assert.equal(fit.degreesOfFreedom, 8);
  // confint(usl.model, level = 0.95) in the vignette.
  close(fit.estimates.alpha.lower, 0.0336773, 'alpha 2.5%');
  close(fit.estimates.alpha.upper, 0.0818642, 'alpha 97.5%');
  printed(fit.estimates.beta.lower, -0.0002137, 7, 'beta 2.5%');
  printed(fit.estimates.beta.upper, 0.0002137, 7, 'beta 97.5%');
  close(fit.estimates.gamma.lower, 17.8683796, 'gamma 2.5%');
  close(fit.estimates.gamma.upper, 25.8293061, 'gamma 97.5%');
  assert.equal(fit.peak, null, 'no peak with beta = 0');
  printed(fit.amdahlLimit, 378, 0, 'limit');
  // efficiency(usl.model): 0.9154 … 0.2217
  close(fit.points[0]!.efficiency, 0.9154, 'efficiency at 1');
  close(fit.points[10]!.efficiency, 0.2217, 'efficiency at 64');
});

test('USL fit equals R usl on raytracer[1:6] (tests/confint.Rout.save)', () => {
  const fit = fitUsl(measurements(RAYTRACER.slice(0, 6)));
  printed(fit.coefficients.alpha, 0.02444, 5, 'alpha');
  printed(fit.coefficients.beta, 0.00163, 5, 'beta');
  close(fit.coefficients.gamma, 20.85605, 'gamma');
  printed(fit.estimates.alpha.lower, 0.00754, 5, 'alpha lower');
  printed(fit.estimates.alpha.upper, 0.04135, 5, 'alpha upper');
  printed(fit.estimates.beta.lower, 0.0011, 5, 'beta lower');
  printed(fit.estimates.beta.upper, 0.00215, 5, 'beta upper');
  close(fit.estimates.gamma.lower, 19.26717, 'gamma lower');
  close(fit.estimates.gamma.upper, 22.44492, 'gamma upper');
});

test('USL fit equals R usl on specsdm91: coefficients, standard errors, sigma, peak, limit, efficiency, predict band', () => {
  const fit = fitUsl(measurements(SPECSDM91));
  // Vignette (method "nls") and tests/summary.Rout.save (default nlxb) agree to these digits.
  close(fit.coefficients.alpha, 0.0277285, 'alpha');
  printed(fit.coefficients.beta, 0.0001044, 7, 'beta');
  close(fit.coefficients.gamma, 89.9952384, 'gamma');
  close(fit.estimates.alpha.standardError, 0.0091217, 'SE alpha');
  printed(fit.estimates.beta.standardError, 1.988e-5, 8, 'SE beta');
  close(fit.estimates.gamma.standardError, 14.21349, 'SE gamma');
  printed(fit.sigma, 82.85, 2, 'sigma');
  close(fit.peak!.n, 96.51956, 'peak N*');
  printed(fit.peak!.throughput, 1884, 0, 'X(N*)');
  close(fit.amdahlLimit, 3245.589, 'Amdahl limit');
  printed(fit.optimal!.n, 36.06, 2, 'optimal load 1/alpha');
  const efficiency = [0.7211, 0.6148, 0.51, 0.286, 0.1882, 0.137, 0.0876];
  fit.points.forEach((p, i) => printed(p.efficiency, efficiency[i]!, 4, `efficiency at ${p.n}`));
  // predict(u, interval = "confidence"): fit 90, lwr -41.4, upr 221 at N = 1; 1879 ± 131.4 at N = 108.
  const [first, , , , fifth] = predictUsl(
    fit,
    fit.points.map((p) => p.n),
  );
  printed(first!.throughput, 90, 0, 'fit at 1');
  printed(first!.lower, -41.4, 1, 'lwr at 1');
  printed(first!.upper, 221, 0, 'upr at 1');
  printed(fifth!.throughput, 1879, 0, 'fit at 108');
  printed(fifth!.lower, 1747.4, 1, 'lwr at 108');
  printed(fifth!.upper, 2010, 0, 'upr at 108');
});

test("USL fit equals the book's values for usl4j's Cisco benchmark (σ, κ, λ, N max, X max)", () => {
  const fit = fitUsl(measurements(CISCO));
  close(fit.coefficients.alpha, 0.02671591, 'sigma (alpha)');
  close(fit.coefficients.beta, 7.690945e-4, 'kappa (beta)');
  close(fit.coefficients.gamma, 995.6486, 'lambda (gamma)');
  assert.equal(Math.floor(fit.peak!.n), 35, 'book N max');
  // The book's X max 12341 is X at N = 35, truncated (usl4j: throughputAtConcurrency(35) = 12341.745…); N* = 35.57.
  assert.equal(Math.floor(uslThroughput(fit.coefficients, 35)), 12341);
  close(uslThroughput(fit.coefficients, 35), 12341.745655201905, 'usl4j X(35)');
  close(uslThroughput(fit.coefficients, 20), 11063.63312570436, 'usl4j X(20)');
});

test('the R usl coef test: a curve generated with alpha = beta = 0.02, gamma = 1 is recovered (tests/coef.Rout.save)', () => {
  const fit = fitUsl(
    measurements([
      [1, 1],
      [2, 1.8868],
      [4, 3.0769],
      [6, 3.5294],
      [8, 3.5398],
      [10, 3.3557],
    ]),
  );
  assert.equal(Number(fit.coefficients.alpha.toPrecision(3)), 0.02);
  assert.equal(Number(fit.coefficients.beta.toPrecision(3)), 0.02);
  assert.equal(Number(fit.coefficients.gamma.toPrecision(3)), 1);
});
