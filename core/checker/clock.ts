// Time comes from a Clock so that unit tests can move it by hand.
export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };
