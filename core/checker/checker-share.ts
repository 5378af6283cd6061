// Which checker watches which monitor: rendezvous (highest random weight) hashing over the
// live checker nodes. Every checker computes the same owner from the same node list without
// talking to the others, and when a node joins or leaves only the monitors it wins or held
// change hands (about 1/n of them), so a rebalance moves little.

/** 32-bit string hash (FNV-1a): node ids are hashed once per membership change. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's finaliser: spreads (node seed, monitor id) over 32 bits without allocating. */
function mix(seed: number, id: number): number {
  let h = (seed ^ Math.imul(id, 0x9e3779b1)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class CheckerShare {
  /** the live checker nodes, sorted: equal lists on every node give equal answers */
  readonly nodes: readonly string[];
  private readonly seeds: number[];
  private readonly mine: number;

  constructor(nodes: Iterable<string>, self: string) {
    this.nodes = [...new Set([...nodes, self])].sort();
    this.seeds = this.nodes.map(hashString);
    this.mine = this.nodes.indexOf(self);
  }

  /** The node that watches this monitor (ties go to the first node in sorted order). */
  ownerIndex(monitorId: number): number {
    let best = 0;
    let bestScore = -1;
    for (let i = 0; i < this.seeds.length; i++) {
      const score = mix(this.seeds[i]!, monitorId);
      if (score > bestScore) {
        best = i;
        bestScore = score;
      }
    }
    return best;
  }

  owner(monitorId: number): string {
    return this.nodes[this.ownerIndex(monitorId)]!;
  }

  owns(monitorId: number): boolean {
    return this.nodes.length === 1 || this.ownerIndex(monitorId) === this.mine;
  }

  sameNodes(nodes: Iterable<string>, self: string): boolean {
    const other = [...new Set([...nodes, self])].sort();
    return other.length === this.nodes.length && other.every((n, i) => n === this.nodes[i]);
  }
}
