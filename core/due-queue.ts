// The checker's deadlines: an indexed binary min-heap keyed by monitor id. Taking the
// earliest deadline and moving one monitor's deadline both cost O(log n), so the work per
// tick does not grow with the number of monitors (no periodic full scan).

interface Slot {
  id: number;
  at: number;
  pos: number;
}

export class DueQueue {
  private heap: Slot[] = [];
  private byId = new Map<number, Slot>();

  get size(): number {
    return this.heap.length;
  }

  /** Sets (or moves) a monitor's deadline; `null` removes it. */
  set(id: number, at: number | null): void {
    const slot = this.byId.get(id);
    if (at === null) {
      if (slot) this.removeAt(slot.pos);
      return;
    }
    if (!slot) {
      const s: Slot = { id, at, pos: this.heap.length };
      this.heap.push(s);
      this.byId.set(id, s);
      this.up(s.pos);
      return;
    }
    const before = slot.at;
    slot.at = at;
    if (at < before) this.up(slot.pos);
    else this.down(slot.pos);
  }

  get(id: number): number | null {
    return this.byId.get(id)?.at ?? null;
  }

  delete(id: number): void {
    this.set(id, null);
  }

  clear(): void {
    this.heap = [];
    this.byId.clear();
  }

  /** The earliest deadline, or null when empty. */
  peek(): number | null {
    return this.heap.length ? this.heap[0]!.at : null;
  }

  /** Removes and returns the ids whose deadline is at or before `now`, earliest first. */
  popDue(now: number, max = Infinity): number[] {
    const out: number[] = [];
    while (this.heap.length && this.heap[0]!.at <= now && out.length < max) {
      const top = this.heap[0]!;
      this.removeAt(0);
      out.push(top.id);
    }
    return out;
  }

  private removeAt(pos: number): void {
    const last = this.heap.pop()!;
    this.byId.delete(pos < this.heap.length ? this.heap[pos]!.id : last.id);
    if (pos < this.heap.length) {
      this.heap[pos] = last;
      last.pos = pos;
      this.up(pos);
      this.down(last.pos);
    }
  }

  private up(pos: number): void {
    const h = this.heap;
    const s = h[pos]!;
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      if (h[parent]!.at <= s.at) break;
      h[pos] = h[parent]!;
      h[pos]!.pos = pos;
      pos = parent;
    }
    h[pos] = s;
    s.pos = pos;
  }

  private down(pos: number): void {
    const h = this.heap;
    const n = h.length;
    const s = h[pos]!;
    for (;;) {
      let child = 2 * pos + 1;
      if (child >= n) break;
      if (child + 1 < n && h[child + 1]!.at < h[child]!.at) child++;
      if (h[child]!.at >= s.at) break;
      h[pos] = h[child]!;
      h[pos]!.pos = pos;
      pos = child;
    }
    h[pos] = s;
    s.pos = pos;
  }
}
