/**
 * headroom/chaos — public door of the chaos module. Nothing is exported yet: see the open issues.
 */
export {};
