// The audit log's rows (migration 022): added one at a time, read newest first with the list's
// filters, pruned by age.

import type { Database } from "./connect.ts";
import type { Changes } from "../audit/changes.ts";

export interface AuditEntry {
  at: number;
  actor: string | null;
  action: string;
  target: string | null;
  ip: string | null;
  changes: Changes | null;
}

const cut = (s: string | null, n: number) => (s === null ? null : s.slice(0, n));

export async function recordAudit(db: Database, e: AuditEntry): Promise<void> {
  await db.write((t) =>
    db.insert(
      "INSERT INTO audit_log (at, actor, action, target, ip, changes) VALUES (?, ?, ?, ?, ?, ?)",
      [
        e.at,
        cut(e.actor, 191),
        e.action.slice(0, 64),
        cut(e.target, 300),
        cut(e.ip, 191),
        e.changes && Object.keys(e.changes).length ? JSON.stringify(e.changes) : null,
      ],
      t,
    ),
  );
}

export interface AuditQuery {
  limit: number;
  offset: number;
  actor?: string;
  action?: string;
}

export async function listAudit(db: Database, q: AuditQuery): Promise<{ total: number; items: AuditEntry[] }> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (q.actor !== undefined) {
    where.push("actor = ?");
    params.push(q.actor);
  }
  // An action or its area: "monitor" finds monitor.create, monitor.update, …
  if (q.action !== undefined) {
    where.push(q.action.includes(".") ? "action = ?" : "action LIKE ?");
    params.push(q.action.includes(".") ? q.action : `${q.action.replace(/[%_\\]/g, "")}.%`);
  }
  const w = where.length ? `WHERE ${where.join(" AND ")}` : "";
  const [c] = await db.select<{ n: number | string }>(`SELECT COUNT(*) AS n FROM audit_log ${w}`, params);
  const rows = await db.select<{
    at: number | string;
    actor: string | null;
    action: string;
    target: string | null;
    ip: string | null;
    changes: string | null;
  }>(`SELECT at, actor, action, target, ip, changes FROM audit_log ${w} ORDER BY id DESC LIMIT ? OFFSET ?`, [
    ...params,
    q.limit,
    q.offset,
  ]);
  return {
    total: Number(c?.n ?? 0),
    items: rows.map((r) => ({
      at: Number(r.at),
      actor: r.actor,
      action: r.action,
      target: r.target,
      ip: r.ip,
      changes: r.changes ? (JSON.parse(r.changes) as Changes) : null,
    })),
  };
}

/** Deletes entries from before `before`; answers how many went. */
export async function pruneAudit(db: Database, before: number): Promise<number> {
  return db.write((t) => db.change("DELETE FROM audit_log WHERE at < ?", [before], t));
}
