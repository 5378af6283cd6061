// The checker's deadlines: an indexed binary min-heap keyed by monitor id. Taking the
// earliest deadline and moving one monitor's deadline both cost O(log n), so the work per
// tick does not grow with the number of monitors (no periodic full scan).
//
// A checker may hold a million monitors, so the queue keeps no object per monitor: it is a
// handful of typed arrays (about 40–70 bytes a monitor, outside the JavaScript heap, nothing
// for the garbage collector to trace).
//
//   slots   0..size-1, dense: ids[slot], ats[slot] (the deadline), pos[slot] (its heap index)
//   heap    heap index → slot, ordered by ats[slot]
//   table   id → slot: open addressing with linear probing (load ≤ 1/2), deletions by
//           backward shift, so no tombstones pile up however often monitors come and go
//
// Removing a monitor moves the last slot into the freed one, so slots stay dense and the
// arrays are only ever as long as twice the largest size seen since the last clear().

const EMPTY = -1;
const MIN_SLOTS = 16;
const MAX_ID = 2 ** 31 - 1;

export class DueQueue {
  private n = 0;
  private ids = new Int32Array(MIN_SLOTS);
  private ats = new Float64Array(MIN_SLOTS);
  private pos = new Int32Array(MIN_SLOTS);
  private heap = new Int32Array(MIN_SLOTS);
  private keys = new Int32Array(MIN_SLOTS * 2).fill(EMPTY);
  private vals = new Int32Array(MIN_SLOTS * 2);
  private shift = 32 - Math.log2(MIN_SLOTS * 2);

  get size(): number {
    return this.n;
  }

  /** Sets (or moves) a monitor's deadline; `null` removes it. Ids are integers in [0, 2³¹). */
  set(id: number, at: number | null): void {
    if (!(id >= 0 && id <= MAX_ID && Number.isInteger(id))) throw new RangeError(`monitor id out of range: ${id}`);
    const slot = this.find(id);
    if (at === null) {
      if (slot !== EMPTY) this.removeSlot(slot);
      return;
    }
    if (slot === EMPTY) {
      if (this.n === this.ids.length) this.growSlots();
      if ((this.n + 1) * 2 > this.keys.length) this.rehash(this.keys.length * 2);
      const s = this.n++;
      this.ids[s] = id;
      this.ats[s] = at;
      this.heap[s] = s;
      this.pos[s] = s;
      this.insertKey(id, s);
      this.up(s);
      return;
    }
    const before = this.ats[slot]!;
    this.ats[slot] = at;
    if (at < before) this.up(this.pos[slot]!);
    else if (at > before) this.down(this.pos[slot]!);
  }

  get(id: number): number | null {
    const slot = this.find(id);
    return slot === EMPTY ? null : this.ats[slot]!;
  }

  delete(id: number): void {
    this.set(id, null);
  }

  clear(): void {
    this.n = 0;
    this.ids = new Int32Array(MIN_SLOTS);
    this.ats = new Float64Array(MIN_SLOTS);
    this.pos = new Int32Array(MIN_SLOTS);
    this.heap = new Int32Array(MIN_SLOTS);
    this.keys = new Int32Array(MIN_SLOTS * 2).fill(EMPTY);
    this.vals = new Int32Array(MIN_SLOTS * 2);
    this.shift = 32 - Math.log2(MIN_SLOTS * 2);
  }

  /** The earliest deadline, or null when empty. */
  peek(): number | null {
    return this.n ? this.ats[this.heap[0]!]! : null;
  }

  /** Removes and returns the ids whose deadline is at or before `now`, earliest first. */
  popDue(now: number, max = Infinity): number[] {
    const out: number[] = [];
    while (this.n && out.length < max) {
      const top = this.heap[0]!;
      if (this.ats[top]! > now) break;
      out.push(this.ids[top]!);
      this.removeSlot(top);
    }
    return out;
  }

  /** Bytes held by the arrays (for footprint reports: typed arrays live outside the JS heap). */
  get bytes(): number {
    return (
      this.ids.byteLength +
      this.ats.byteLength +
      this.pos.byteLength +
      this.heap.byteLength +
      this.keys.byteLength +
      this.vals.byteLength
    );
  }

  // --- the id → slot table ---

  private home(id: number): number {
    return Math.imul(id, 0x9e3779b1) >>> this.shift;
  }

  private find(id: number): number {
    const keys = this.keys;
    const mask = keys.length - 1;
    for (let i = this.home(id); ; i = (i + 1) & mask) {
      const k = keys[i]!;
      if (k === id) return this.vals[i]!;
      if (k === EMPTY) return EMPTY;
    }
  }

  /** Inserts a key known to be absent, or updates the slot of one that is present. */
  private insertKey(id: number, slot: number): void {
    const keys = this.keys;
    const mask = keys.length - 1;
    let i = this.home(id);
    while (keys[i] !== EMPTY && keys[i] !== id) i = (i + 1) & mask;
    keys[i] = id;
    this.vals[i] = slot;
  }

  private deleteKey(id: number): void {
    const keys = this.keys;
    const vals = this.vals;
    const mask = keys.length - 1;
    let i = this.home(id);
    while (keys[i] !== id) {
      if (keys[i] === EMPTY) return;
      i = (i + 1) & mask;
    }
    // Backward shift: pull later entries of the probe run into the hole when their home
    // position does not lie cyclically in (hole, their position].
    for (let j = (i + 1) & mask; keys[j] !== EMPTY; j = (j + 1) & mask) {
      const h = this.home(keys[j]!);
      const stays = i <= j ? i < h && h <= j : i < h || h <= j;
      if (stays) continue;
      keys[i] = keys[j]!;
      vals[i] = vals[j]!;
      i = j;
    }
    keys[i] = EMPTY;
  }

  private rehash(size: number): void {
    const oldKeys = this.keys;
    const oldVals = this.vals;
    this.keys = new Int32Array(size).fill(EMPTY);
    this.vals = new Int32Array(size);
    this.shift = 32 - Math.log2(size);
    for (let i = 0; i < oldKeys.length; i++) if (oldKeys[i] !== EMPTY) this.insertKey(oldKeys[i]!, oldVals[i]!);
  }

  private growSlots(): void {
    const size = this.ids.length * 2;
    const grow = <A extends Int32Array | Float64Array>(a: A, make: (n: number) => A): A => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.ids = grow(this.ids, (k) => new Int32Array(k));
    this.ats = grow(this.ats, (k) => new Float64Array(k));
    this.pos = grow(this.pos, (k) => new Int32Array(k));
    this.heap = grow(this.heap, (k) => new Int32Array(k));
  }

  // --- the heap ---

  private removeSlot(s: number): void {
    const last = --this.n;
    const p = this.pos[s]!;
    if (p !== last) {
      // The heap's last entry takes the removed one's place, then settles.
      const moved = this.heap[last]!;
      this.heap[p] = moved;
      this.pos[moved] = p;
      if (p > 0 && this.ats[moved]! < this.ats[this.heap[(p - 1) >> 1]!]!) this.up(p);
      else this.down(p);
    }
    this.deleteKey(this.ids[s]!);
    if (s !== last) {
      // Keep slots dense: the last slot moves into the freed one.
      const id = this.ids[last]!;
      const hp = this.pos[last]!;
      this.ids[s] = id;
      this.ats[s] = this.ats[last]!;
      this.pos[s] = hp;
      this.heap[hp] = s;
      this.insertKey(id, s);
    }
  }

  private up(p: number): void {
    const heap = this.heap;
    const pos = this.pos;
    const ats = this.ats;
    const s = heap[p]!;
    const at = ats[s]!;
    while (p > 0) {
      const parent = (p - 1) >> 1;
      const ps = heap[parent]!;
      if (ats[ps]! <= at) break;
      heap[p] = ps;
      pos[ps] = p;
      p = parent;
    }
    heap[p] = s;
    pos[s] = p;
  }

  private down(p: number): void {
    const heap = this.heap;
    const pos = this.pos;
    const ats = this.ats;
    const n = this.n;
    const s = heap[p]!;
    const at = ats[s]!;
    for (;;) {
      let child = 2 * p + 1;
      if (child >= n) break;
      if (child + 1 < n && ats[heap[child + 1]!]! < ats[heap[child]!]!) child++;
      const cs = heap[child]!;
      if (ats[cs]! >= at) break;
      heap[p] = cs;
      pos[cs] = p;
      p = child;
    }
    heap[p] = s;
    pos[s] = p;
  }
}
