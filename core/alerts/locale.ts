// The languages Heartbeats speaks: English and Simplified Chinese. A user's dashboard and a
// channel's alerts each choose one; null means "the default" (the browser, or DEFAULT_LOCALE).

export const LOCALES = ["en", "zh-Hans"] as const;
export type Locale = (typeof LOCALES)[number];

export function isLocale(v: unknown): v is Locale {
  return typeof v === "string" && (LOCALES as readonly string[]).includes(v);
}

/** A stored value read back: anything unknown (an old row, a hand edit) counts as unset. */
export function storedLocale(v: unknown): Locale | null {
  return isLocale(v) ? v : null;
}
