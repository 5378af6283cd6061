// A size-capped sink for the collection script's stdout: a host that prints gigabytes
// (a broken /proc, a hostile shell rc) must cost us a parse error, not the agent's memory.

export const OUTPUT_LIMIT_BYTES = 4 * 1024 * 1024;

export class OutputBuffer {
  readonly limit: number;
  private chunks: Buffer[] = [];
  private size = 0;
  overflowed = false;

  constructor(limit = OUTPUT_LIMIT_BYTES) {
    this.limit = limit;
  }

  /** Returns false once the cap is passed; later chunks are dropped. */
  push(chunk: Buffer): boolean {
    if (this.overflowed) return false;
    this.size += chunk.length;
    if (this.size > this.limit) {
      this.overflowed = true;
      this.chunks = [];
      return false;
    }
    this.chunks.push(chunk);
    return true;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }
}
