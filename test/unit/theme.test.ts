// A user's colour scheme as stored: null and unknown values read back as "system", and "system"
// is written as null so the rows from before the choice existed mean the same.

import { test } from "node:test";
import assert from "node:assert/strict";
import { isTheme, storedTheme, themeColumn, THEMES } from "../../core/people/theme.ts";

test("a stored theme reads back as a choice; null, unknown or a wrong type is system", () => {
  assert.deepEqual(THEMES, ["system", "light", "dark"]);
  assert.equal(storedTheme("dark"), "dark");
  assert.equal(storedTheme("light"), "light");
  for (const v of [null, undefined, "", "Dark", "blue", 1, ["dark"]]) assert.equal(storedTheme(v), "system");
  assert.equal(isTheme("system"), true);
  assert.equal(isTheme("DARK"), false);
});

test("system is written as null, light and dark as themselves; each round-trips", () => {
  assert.equal(themeColumn("system"), null);
  assert.equal(themeColumn("light"), "light");
  assert.equal(themeColumn("dark"), "dark");
  for (const t of THEMES) assert.equal(storedTheme(themeColumn(t)), t);
});
