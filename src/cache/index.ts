/**
 * headroom/cache — public door of the cache module. Nothing is exported yet: see the open issues.
 */
export {};
