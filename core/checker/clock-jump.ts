// Wall-clock jumps, told from the monotonic clock. Deadlines are stored in wall time, so a
// clock stepped forward by an hour (an NTP step, a VM resumed from suspend) would make an
// hour of deadlines pass at once: a storm of false "down" alerts for time no job was given.
// Pure: the checker feeds it readings and applies what it answers.

export interface ClockJump {
  /** wall time minus monotonic time gained since the last reading: > 0 forward, < 0 back */
  byMs: number;
  /**
   * Wall times written after the jump lie in this band (the jump happened somewhere between
   * the two readings); times outside it were written before the jump, in the old frame.
   */
  newFrame: { from: number; to: number };
}

/** Readings of the wall and monotonic clocks; a jump is a difference beyond `toleranceMs`. */
export class ClockWatch {
  private last: { wall: number; mono: number } | null = null;
  private readonly toleranceMs: number;

  constructor(toleranceMs = 2_000) {
    this.toleranceMs = toleranceMs;
  }

  observe(wall: number, mono: number): ClockJump | null {
    const last = this.last;
    this.last = { wall, mono };
    if (!last) return null;
    const monoMs = mono - last.mono;
    const byMs = Math.round(wall - last.wall - monoMs);
    if (Math.abs(byMs) <= this.toleranceMs) return null;
    // Anything stamped since the jump was stamped within the last monoMs of the new wall time.
    return { byMs, newFrame: { from: wall - monoMs - this.toleranceMs, to: wall + this.toleranceMs } };
  }
}

/**
 * Whether a monitor's deadlines were computed before the jump (so they move with it): none of
 * its recorded times falls in the band that only post-jump writes can occupy.
 */
export function stampedBeforeJump(times: readonly (number | null)[], jump: ClockJump): boolean {
  return times.every((t) => t === null || t < jump.newFrame.from || t > jump.newFrame.to);
}
