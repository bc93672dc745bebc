/**
 * headroom/scale — public door of the scale module. Nothing is exported yet: see the open issues.
 */
export {};
