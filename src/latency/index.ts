/**
 * headroom/latency — public door of the latency module. Nothing is exported yet: see the open issues.
 */
export {};
