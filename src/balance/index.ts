/**
 * headroom/balance — public door of the balance module. Nothing is exported yet: see the open issues.
 */
export {};
