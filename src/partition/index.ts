/**
 * headroom/partition — public door of the partition module. Nothing is exported yet: see the open issues.
 */
export {};
