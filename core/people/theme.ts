// A user's dashboard colour scheme. "system" follows the browser's prefers-color-scheme; it is
// stored as null so rows from before the choice existed behave the same.

export const THEMES = ["system", "light", "dark"] as const;
export type Theme = (typeof THEMES)[number];

export function isTheme(v: unknown): v is Theme {
  return typeof v === "string" && (THEMES as readonly string[]).includes(v);
}

/** A stored value read back: null, "system" or anything unknown (a hand edit) is "system". */
export function storedTheme(v: unknown): Theme {
  return isTheme(v) ? v : "system";
}

/** What the users column keeps: null for "system". */
export function themeColumn(theme: Theme): "light" | "dark" | null {
  return theme === "system" ? null : theme;
}
