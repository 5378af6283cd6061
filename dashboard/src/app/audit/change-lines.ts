// An audit entry's changes as lines of text, one per field. Framework-free: the root test suite
// runs it in Node (test/unit/dashboard-audit.test.ts).

import type { AuditEntry } from '../api/models.ts';

/** One changed field as a line: `name: "a" → "b"`, or a secret's "(changed)". */
export function changeLines(changes: AuditEntry['changes']): string[] {
  if (!changes) return [];
  const v = (x: unknown) => (typeof x === 'string' ? JSON.stringify(x) : JSON.stringify(x ?? null));
  return Object.entries(changes).map(([field, c]) => {
    if (typeof c === 'string') return `${field}: ${c}`;
    if ('from' in c && 'to' in c) return `${field}: ${v(c.from)} → ${v(c.to)}`;
    if ('to' in c) return `${field}: ${v(c.to)}`;
    return `${field}: ${v(c.from)}`;
  });
}
