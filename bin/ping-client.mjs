// Delivers a ping: basic auth, a bounded wait, and retries with backoff for the failures
// that are worth retrying (network, 5xx, 429). A 4xx is final: retrying a wrong code or
// password only delays the error the operator has to fix.
//
// Plain JavaScript (types in JSDoc) because `heartbeats run` loads it: a bin installed under
// node_modules cannot have its types stripped by Node.

/**
 * @typedef {{ ok: boolean, status: number | null, attempts: number, error: string | null }} SendOutcome
 * @typedef {{ method: string, url: string, body: string | null }} PingToSend
 * @typedef {{ retries?: number, backoffMs?: number, timeoutMs?: number, userAgent?: string, log?: (line: string) => void }} SendOptions
 */

/**
 * @param {PingToSend} req
 * @param {{ user: string | null, password: string | null }} auth
 * @param {SendOptions} [opts]
 * @returns {Promise<SendOutcome>}
 */
export async function sendPing(req, auth, opts = {}) {
  const retries = opts.retries ?? 3;
  const backoffMs = opts.backoffMs ?? 1000;
  /** @type {Record<string, string>} */
  const headers = { "user-agent": opts.userAgent ?? "heartbeats-agent" };
  if (auth.user !== null)
    headers.authorization = "Basic " + Buffer.from(`${auth.user}:${auth.password ?? ""}`).toString("base64");
  if (req.body !== null) headers["content-type"] = "text/plain; charset=utf-8";
  /** @type {SendOutcome} */
  let last = { ok: false, status: null, attempts: 0, error: null };
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    try {
      const res = await fetch(req.url, {
        method: req.method,
        headers,
        body: req.body ?? undefined,
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      });
      await res.arrayBuffer();
      if (res.ok) return { ok: true, status: res.status, attempts: attempt, error: null };
      last = { ok: false, status: res.status, attempts: attempt, error: `HTTP ${res.status}` };
      if (res.status < 500 && res.status !== 429) return last;
    } catch (err) {
      const cause = /** @type {{ cause?: { code?: string, message?: string } }} */ (err).cause;
      last = {
        ok: false,
        status: null,
        attempts: attempt,
        error: cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err)),
      };
    }
    if (attempt <= retries) {
      const wait = backoffMs * 2 ** (attempt - 1);
      opts.log?.(`ping attempt ${attempt} failed (${last.error}); retrying in ${wait} ms`);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
  return last;
}
