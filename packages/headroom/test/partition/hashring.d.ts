/** Minimal types for the `hashring` package (dev dependency; our ketama peer in tests and benchmarks). */
declare module 'hashring' {
  interface RingNode {
    value: number;
    server: string;
  }
  class HashRing {
    constructor(servers: string | string[] | Record<string, number>, algorithm?: string, options?: Record<string, unknown>);
    ring: RingNode[];
    get(key: string): string;
    find(hashValue: number): number;
    hashValue(key: string): number;
    range(key: string, size?: number, unique?: boolean): string[];
    add(servers: string | string[] | Record<string, number>): HashRing;
    remove(server: string): HashRing;
  }
  export = HashRing;
}
