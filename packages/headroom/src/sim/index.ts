/**
 * headroom/sim — public door of the sim module. Nothing is exported yet: see the open issues.
 */
export {};
