/**
 * Published datasets with published USL fits, for the golden tests.
 *
 * - raytracer, specsdm91: the R package `usl` 3.0.3 (Moeding; CRAN, github.com/cran/usl),
 *   data/raytracer.rda and data/specsdm91.rda, read out of the R serialization. Published results:
 *   the package vignette (inst/doc/usl.pdf: summary, coef, confint of raytracer; summary of
 *   specsdm91 with method "nls") and the package tests (tests/*.Rout.save: confint of
 *   raytracer[1:6], predict/sigma/peak/limit/efficiency of specsdm91).
 * - cisco: usl4j (Coda Hale, github.com/codahale/usl4j, ModelTest.java), the Cisco benchmark from
 *   Baron Schwartz, "Practical Scalability Analysis with the Universal Scalability Law", with the
 *   book's fitted values σ (= α), κ (= β), λ (= γ).
 */

/** [N, X] pairs. */
export type Dataset = readonly (readonly [number, number])[];

export const RAYTRACER: Dataset = [
  [1, 20],
  [4, 78],
  [8, 130],
  [12, 170],
  [16, 190],
  [20, 200],
  [24, 210],
  [28, 230],
  [32, 260],
  [48, 280],
  [64, 310],
];

export const SPECSDM91: Dataset = [
  [1, 64.9],
  [18, 995.9],
  [36, 1652.4],
  [72, 1853.2],
  [108, 1828.9],
  [144, 1775.0],
  [216, 1702.2],
];

export const CISCO: Dataset = [
  [1, 955.16],
  [2, 1878.91],
  [3, 2688.01],
  [4, 3548.68],
  [5, 4315.54],
  [6, 5130.43],
  [7, 5931.37],
  [8, 6531.08],
  [9, 7219.8],
  [10, 7867.61],
  [11, 8278.71],
  [12, 8646.7],
  [13, 9047.84],
  [14, 9426.55],
  [15, 9645.37],
  [16, 9897.24],
  [17, 10097.6],
  [18, 10240.5],
  [19, 10532.39],
  [20, 10798.52],
  [21, 11151.43],
  [22, 11518.63],
  [23, 11806],
  [24, 12089.37],
  [25, 12075.41],
  [26, 12177.29],
  [27, 12211.41],
  [28, 12158.93],
  [29, 12155.27],
  [30, 12118.04],
  [31, 12140.4],
  [32, 12074.39],
];

/** The dataset as measurements. */
export function measurements(d: Dataset): { n: number; throughput: number }[] {
  return d.map(([n, throughput]) => ({ n, throughput }));
}
