// The last N bytes of a stream, kept without holding the whole stream: chunks are dropped from
// the front once the ones after them already hold N bytes. Plain JavaScript for `heartbeats run`.

export class TailBuffer {
  /** @param {number} limit bytes to keep */
  constructor(limit) {
    this.limit = limit;
    /** @type {Buffer[]} */
    this.chunks = [];
    this.size = 0;
    /** bytes seen in all */
    this.total = 0;
  }

  /** @param {Buffer} chunk */
  push(chunk) {
    this.chunks.push(chunk);
    this.size += chunk.length;
    this.total += chunk.length;
    while (this.chunks.length > 1 && this.size - this.chunks[0].length >= this.limit)
      this.size -= /** @type {Buffer} */ (this.chunks.shift()).length;
  }

  /** The kept bytes as text: at most `limit` bytes, starting on a character boundary; bytes that are not UTF-8 become U+FFFD. */
  text() {
    let buf = Buffer.concat(this.chunks);
    if (buf.length > this.limit) buf = buf.subarray(buf.length - this.limit);
    let start = 0;
    // A cut inside a character: skip its continuation bytes (at most 3).
    if (this.total > buf.length) while (start < 3 && start < buf.length && (buf[start] & 0xc0) === 0x80) start++;
    return buf.subarray(start).toString("utf8");
  }
}
