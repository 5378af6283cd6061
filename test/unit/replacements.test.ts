// Sequelize-style replacements as bound parameters (core/db/replacements.ts): what the SQLite
// file's inline writer runs for shared code such as recordFlips inside a hot write.

import { test } from "node:test";
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { bindReplacements } from "../../core/db/replacements.ts";

test("named :x and positional ? become ? with their values in order", () => {
  assert.deepEqual(
    bindReplacements("UPDATE users SET email = :email, updated_at = :now WHERE id = :id", {
      email: "a@b.c",
      now: 5,
      id: 7,
    }),
    {
      sql: "UPDATE users SET email = ?, updated_at = ? WHERE id = ?",
      params: ["a@b.c", 5, 7],
    },
  );
  assert.deepEqual(bindReplacements("SELECT * FROM t WHERE a = ? AND b > ?", [1, "x"]), {
    sql: "SELECT * FROM t WHERE a = ? AND b > ?",
    params: [1, "x"],
  });
  // a name used twice takes its value twice; names end at ) , ; ] or whitespace
  assert.deepEqual(bindReplacements("SELECT (:a,:a);", { a: 1 }), { sql: "SELECT (?,?);", params: [1, 1] });
});

test("no replacements: the statement as it is", () => {
  assert.deepEqual(bindReplacements("SELECT 1"), { sql: "SELECT 1", params: [] });
  assert.deepEqual(bindReplacements("SELECT '?'", null), { sql: "SELECT '?'", params: [] });
});

test("a list expands to one ? per element, for IN (…)", () => {
  assert.deepEqual(bindReplacements("DELETE FROM t WHERE id IN (?) AND x = ?", [[1, 2, 3], true]), {
    sql: "DELETE FROM t WHERE id IN (?, ?, ?) AND x = ?",
    params: [1, 2, 3, true],
  });
  assert.deepEqual(bindReplacements("SELECT * FROM t WHERE id IN (:ids)", { ids: [4] }), {
    sql: "SELECT * FROM t WHERE id IN (?)",
    params: [4],
  });
  assert.deepEqual(bindReplacements("SELECT * FROM t WHERE id IN (:ids)", { ids: [] }), {
    sql: "SELECT * FROM t WHERE id IN ()",
    params: [],
  });
  assert.throws(() => bindReplacements("VALUES ?", [[[1, 2]]]), /not lists/);
});

test("placeholders in string literals, quoted names and comments are text", () => {
  const sql = "SELECT ':a', 'it''s ?', \"?\", `:a` FROM t -- ? :a\nWHERE x = :a /* ? :a */ AND y = ':a'";
  assert.deepEqual(bindReplacements(sql, { a: 1 }), { sql: sql.replace("x = :a", "x = ?"), params: [1] });
  const pos = "SELECT 'a?' AS q, ? AS v -- why?\n";
  assert.deepEqual(bindReplacements(pos, [2]), { sql: "SELECT 'a?' AS q, ? AS v -- why?\n", params: [2] });
  assert.throws(() => bindReplacements("SELECT 'open", [1]), /unterminated string literal/);
});

test("only where a value can stand: not inside a word, a time, a cast or an operator", () => {
  assert.deepEqual(bindReplacements("SELECT '12:30', a::text, b?|c, d?&e, x:y FROM t WHERE z = :z", { z: 1 }), {
    sql: "SELECT '12:30', a::text, b?|c, d?&e, x:y FROM t WHERE z = ?",
    params: [1],
  });
  assert.deepEqual(bindReplacements("SELECT x FROM t WHERE a=? AND b IN [?]", [1, 2]).params, [1, 2]);
  assert.deepEqual(bindReplacements("SELECT ?|? FROM t", [1]), { sql: "SELECT ?|? FROM t", params: [] });
});

test("a missing value is an error, as through sequelize", () => {
  assert.throws(() => bindReplacements("SELECT :a, :b", { a: 1 }), /Named replacement ":b" has no entry/);
  assert.throws(() => bindReplacements("SELECT :a", { a: undefined }), /Named replacement ":a" has no entry/);
  assert.throws(() => bindReplacements("SELECT ?, ?", [1]), /Positional replacement \(\?\) 1 has no entry/);
  assert.throws(() => bindReplacements("SELECT ?", "x" as never), TypeError);
  // with an array, :name is not a placeholder (and with an object, ? is not)
  assert.deepEqual(bindReplacements("SELECT :a, ?", [1]), { sql: "SELECT :a, ?", params: [1] });
  assert.deepEqual(bindReplacements("SELECT :a, ?", { a: 1 }), { sql: "SELECT ?, ?", params: [1] });
});

test("values arrive intact on SQLite: quotes, null, booleans, numbers", () => {
  const db = new DatabaseSync(":memory:");
  try {
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT, n REAL, b INTEGER, z TEXT)");
    const bind = (v: unknown) => (typeof v === "boolean" ? (v ? 1 : 0) : v) as never;
    const run = (sql: string, r: Record<string, unknown> | unknown[]) => {
      const { sql: text, params } = bindReplacements(sql, r);
      return db.prepare(text).all(...params.map(bind));
    };
    const s = "it's a \"quote\" -- not a comment; :n ? \\ '";
    run("INSERT INTO t (id, s, n, b, z) VALUES (:id, :s, :n, :b, :z)", { id: 1, s, n: 1.5, b: true, z: null });
    run("INSERT INTO t (id, s, n, b, z) VALUES (?, ?, ?, ?, ?)", [2, "", -3, false, "x"]);
    assert.deepEqual(
      run("SELECT id, s, n, b, z FROM t WHERE id IN (?) ORDER BY id", [[1, 2]]).map((r) => ({ ...r })),
      [
        { id: 1, s, n: 1.5, b: 1, z: null },
        { id: 2, s: "", n: -3, b: 0, z: "x" },
      ],
    );
    assert.deepEqual(
      run("SELECT id FROM t WHERE s = :s AND b = :b", { s, b: true }).map((r) => r.id),
      [1],
    );
  } finally {
    db.close();
  }
});
