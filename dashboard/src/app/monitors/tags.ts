// Tags as the monitor form's input and the list's filter take them. Framework-free.

/** "a, b,,c " -> ["a", "b", "c"]: what the tags input and the tags filter accept. Lower-cased like the API. */
export function splitTags(text: string): string[] {
  return normalizeTags(text.split(','));
}

export function normalizeTags(tags: readonly string[]): string[] {
  const out: string[] = [];
  for (const t of tags) {
    const tag = t.trim().toLowerCase();
    if (tag && !out.includes(tag)) out.push(tag);
  }
  return out;
}

/** Adds the comma-separated tags in `text` to `tags` (no duplicates). */
export function addTags(tags: readonly string[], text: string): string[] {
  return normalizeTags([...tags, ...splitTags(text)]);
}
