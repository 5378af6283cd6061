// The one way notifier plugins reach the network, and the shared verdict on HTTP answers.
// Webhook URLs are user input, so every request is vetted where it cannot be raced: the
// address is checked inside the socket's own DNS lookup and the socket connects to exactly
// the address that passed (no second resolution an attacker's DNS could answer differently).
// Built on node:http/https rather than fetch because fetch offers no hook at that point.
// Redirects are followed by hand for the same reason, at most MAX_REDIRECTS of them, each hop
// vetted like the first.

import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import type { LookupFunction } from "node:net";
import { codeBlock } from "../core/alerts/alert.ts";
import { isPrivateAddress } from "../core/security/network-address.ts";
import { DeliveryError } from "./channel.ts";
import type { ChannelIO, HttpRequest, HttpResponse, SendResult } from "./channel.ts";

export const MAX_RESPONSE_BYTES = 64 * 1024;
const DEFAULT_USER_AGENT = "Heartbeats/0.1 (+https://github.com/heartbeats-monitor/heartbeats)";

export interface HttpIOOptions {
  timeoutMs: number;
  /** ALLOW_PRIVATE_WEBHOOKS: for receivers on the same network as Heartbeats, and for tests */
  allowPrivate: boolean;
  /** the resolver, replaceable so tests can make a name resolve to any address */
  lookup?: typeof dns.lookup;
  /** the address rule (isPrivateAddress), replaceable so a test's receiver on 127.0.0.2 can stand in for a public one */
  privateAddress?: (ip: string) => boolean;
  userAgent?: string;
}

type LookupAll = (
  host: string,
  options: dns.LookupAllOptions,
  cb: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void,
) => void;

function refusal(host: string, address: string): DeliveryError {
  return new DeliveryError(
    `${host} resolves to a private address (${address}); refused (set ALLOW_PRIVATE_WEBHOOKS=true to allow private receivers)`,
    false,
  );
}

/** A lookup that resolves every address of the name and refuses the lot if any one is private. */
function vettedLookup(resolve: LookupAll, refused: (ip: string) => boolean): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, "", 0);
      if (!addresses?.length)
        return callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }), "", 0);
      const bad = addresses.find((a) => refused(a.address));
      if (bad) return callback(refusal(hostname, bad.address) as NodeJS.ErrnoException, "", 0);
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

function encodeBody(body: unknown): { payload: Buffer | undefined; json: boolean } {
  if (body === undefined) return { payload: undefined, json: false };
  if (Buffer.isBuffer(body)) return { payload: body, json: false };
  if (typeof body === "string") return { payload: Buffer.from(body, "utf8"), json: false };
  return { payload: Buffer.from(JSON.stringify(body), "utf8"), json: true };
}

export function createHttpIO(opts: HttpIOOptions): ChannelIO {
  const { timeoutMs, allowPrivate } = opts;
  const isPrivate = opts.privateAddress ?? isPrivateAddress;
  const refused = (ip: string) => !allowPrivate && isPrivate(ip);
  const lookup = vettedLookup((opts.lookup ?? dns.lookup) as unknown as LookupAll, refused);
  const userAgent = opts.userAgent ?? DEFAULT_USER_AGENT;

  return {
    timeoutMs,
    async request(req: HttpRequest): Promise<HttpResponse> {
      let url: URL;
      try {
        url = new URL(req.url);
      } catch {
        // the text of the URL stays out of the message: it may hold a token
        throw new DeliveryError("the URL is not valid", false);
      }
      const { payload, json } = encodeBody(req.body);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v;
      headers["user-agent"] ??= userAgent;
      if (json) headers["content-type"] ??= "application/json";
      let hop: Hop = { url, method: req.method ?? (payload ? "POST" : "GET"), headers, payload };
      // Each hop is vetted like the first (its own lookup, its own address check); the timeout
      // covers them all.
      const deadline = Date.now() + timeoutMs;
      for (let redirects = 0; ; redirects++) {
        const res = await send(hop, Math.max(1, deadline - Date.now()));
        const next = redirected(hop, res);
        if (!next) return res;
        if (redirects === MAX_REDIRECTS)
          throw new DeliveryError(
            `${originOf(hop.url)}: more than ${MAX_REDIRECTS} redirects; the last one, to ${originOf(next.url)}, not followed`,
            false,
          );
        hop = next;
      }
    },
  };

  function send(hop: Hop, timeout: number): Promise<HttpResponse> {
    const { url, method, payload } = hop;
    if (url.protocol !== "http:" && url.protocol !== "https:")
      return Promise.reject(new DeliveryError(`${url.protocol} URLs are not allowed, only http: and https:`, false));
    // Only scheme://host[:port] ever appears in messages: paths and queries often carry tokens.
    const origin = originOf(url);
    const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
    // A literal address is connected to without a lookup, so it is checked here.
    if (isIP(host) && refused(host)) return Promise.reject(refusal(host, host));
    const headers = { ...hop.headers };
    if (payload) headers["content-length"] = String(payload.length);
    else delete headers["content-length"];

    return new Promise<HttpResponse>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const fail = (err: unknown) => settle(() => reject(asDeliveryError(err, origin)));

      let request: http.ClientRequest;
      const timer = setTimeout(() => {
        settle(() => reject(new DeliveryError(`${origin}: timed out after ${timeoutMs} ms`, true)));
        request?.destroy();
      }, timeout);

      try {
        request = (url.protocol === "https:" ? https : http).request({
          method,
          hostname: host,
          port: url.port || undefined,
          path: url.pathname + url.search,
          auth: url.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined,
          headers,
          lookup,
          // No pooling: every connection is looked up and vetted on its own, and nothing
          // is kept open between alerts, which are rare.
          agent: false,
        });
      } catch (err) {
        // e.g. a header value with a line break: name the rule, never the value
        const code = (err as { code?: string }).code ?? "invalid request";
        return settle(() => reject(new DeliveryError(`${origin}: the request could not be built (${code})`, false)));
      }

      request.on("error", fail);
      request.on("response", (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () =>
          settle(() =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString("utf8"),
            }),
          );
        res.on("data", (chunk: Buffer) => {
          if (settled) return;
          const room = MAX_RESPONSE_BYTES - size;
          if (chunk.length < room) {
            chunks.push(chunk);
            size += chunk.length;
            return;
          }
          // Enough: the rest of an oversized answer is never read, the connection is dropped.
          chunks.push(chunk.subarray(0, room));
          size = MAX_RESPONSE_BYTES;
          done();
          res.destroy();
          request.destroy();
        });
        res.on("end", done);
        res.on("error", fail);
        res.on("close", () => fail(new Error("the connection closed before the answer was complete")));
      });
      request.end(payload);
    });
  }
}

/** Redirects followed per request; the next one is an error. */
export const MAX_REDIRECTS = 3;

interface Hop {
  url: URL;
  method: string;
  headers: Record<string, string>;
  payload: Buffer | undefined;
}

const originOf = (url: URL) => `${url.protocol}//${url.host}`;

/** Headers that may follow a redirect to another origin: none that could carry a credential. */
const PORTABLE_HEADERS = new Set(["accept", "content-type", "user-agent"]);

/**
 * The request a redirect answer asks for, or null when `res` is not one to follow. As browsers
 * do (RFC 9110 15.4): 303, and 301/302 after a POST, become a GET without a body; 307/308 repeat
 * the request. Crossing to another origin drops every header but the harmless ones and the
 * URL's user name and password, so a receiver cannot send a channel's secrets elsewhere.
 */
export function redirected(hop: Hop, res: HttpResponse): Hop | null {
  if (![301, 302, 303, 307, 308].includes(res.status)) return null;
  const location = res.headers.location;
  if (typeof location !== "string" || location === "") return null;
  let url: URL;
  try {
    url = new URL(location, hop.url);
  } catch {
    return null;
  }
  const toGet =
    res.status === 303 ? hop.method !== "HEAD" : (res.status === 301 || res.status === 302) && hop.method === "POST";
  let headers = { ...hop.headers };
  if (toGet) {
    delete headers["content-type"];
    delete headers["content-length"];
  }
  if (url.origin !== hop.url.origin) {
    headers = Object.fromEntries(Object.entries(headers).filter(([k]) => PORTABLE_HEADERS.has(k)));
    url.username = "";
    url.password = "";
  }
  return { url, method: toGet ? "GET" : hop.method, headers, payload: toGet ? undefined : hop.payload };
}

function asDeliveryError(err: unknown, origin: string): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const e = err as { code?: string; message?: string };
  // Node's network messages name addresses and ports, never the request path.
  const why = e.message || e.code || "network error";
  return new DeliveryError(`${origin}: ${why}`, true);
}

function oneLine(s: string, max: number): string {
  const line = s.replace(/\s+/g, " ").trim();
  return line.length > max ? line.slice(0, max) + "…" : line;
}

/** The common verdict on an answer: 2xx delivered; 408, 425, 429 and 5xx worth another try; the rest final. */
export function httpOutcome(res: HttpResponse, what: string): SendResult {
  const { status } = res;
  if (status >= 200 && status < 300) return { ok: true, detail: `${what} answered ${status}` };
  if (status >= 300 && status < 400) {
    const location = String(res.headers.location ?? "").replace(/[?#].*$/, "");
    return {
      ok: false,
      retryable: false,
      error: `${what} answered ${status}: a redirect without a usable location (${location || "none"})`,
    };
  }
  const retryable = status === 408 || status === 425 || status === 429 || status >= 500;
  return { ok: false, retryable, error: failureText(what, status, res.body) };
}

/** `${what} answered ${status}: ${detail}` with the detail cut to one line of 200 characters. */
export function failureText(what: string, status: number, detail: string): string {
  const text = oneLine(detail, 200);
  return text ? `${what} answered ${status}: ${text}` : `${what} answered ${status}`;
}

export interface DeliverOptions {
  /** the target's own reading of an answer; httpOutcome by default */
  judge?: (res: HttpResponse) => SendResult;
  /** secrets the request carries in its body (a routing key, say), kept out of error messages too */
  secrets?: string[];
}

/**
 * Sends one request and judges the answer. A DeliveryError, no answer at all, becomes a failed
 * result with its own verdict. Error texts quote the receiver, and a receiver may echo what it
 * got, so everything secret-looking the request carried is cut out of them.
 */
export async function deliver(
  io: ChannelIO,
  req: HttpRequest,
  what: string,
  opts: DeliverOptions = {},
): Promise<SendResult> {
  let result: SendResult;
  try {
    const res = await io.request(req);
    result = opts.judge ? opts.judge(res) : httpOutcome(res, what);
  } catch (err) {
    if (!(err instanceof DeliveryError)) throw err;
    result = { ok: false, retryable: err.retryable, error: `${what}: ${err.message}` };
  }
  if (result.ok) return result;
  return { ...result, error: scrub(result.error, [...(opts.secrets ?? []), ...secretsOf(req)]) };
}

/** What in a request could be a credential: long URL path segments and query values, userinfo, header values. */
function secretsOf(req: HttpRequest): string[] {
  const found: string[] = [];
  try {
    const url = new URL(req.url);
    found.push(url.username, url.password);
    for (const segment of url.pathname.split("/")) found.push(segment, safeDecode(segment));
    for (const value of url.searchParams.values()) found.push(value);
  } catch {
    // an invalid URL was refused before anything was sent; its text is in no message
  }
  for (const [name, value] of Object.entries(req.headers ?? {})) {
    if (name.toLowerCase() === "content-type") continue;
    found.push(value, value.split(" ").pop() ?? "");
  }
  return found.filter((s) => s.length >= 12);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function scrub(text: string, secrets: string[]): string {
  for (const secret of [...new Set(secrets)].filter((s) => s.length >= 6).sort((a, b) => b.length - a.length)) {
    text = text.split(secret).join("[redacted]");
  }
  return text;
}

/** Parses a JSON answer, or undefined: error bodies from proxies in front of an API are often HTML. */
export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/**
 * Cuts text to a target's documented limit (counted in UTF-16 units, as most APIs do), ending
 * with "…" and never splitting a surrogate pair.
 */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = max - 1;
  if (end > 0 && /[\ud800-\udbff]/.test(s[end - 1])) end--;
  return s.slice(0, Math.max(0, end)) + "…";
}

/**
 * `text` in a Markdown code block of at most `max` units as `measure` counts them (characters
 * by default; ntfy counts UTF-8 bytes), fences included, or null when not even a stub fits.
 */
export function fenced(text: string, max: number, measure: (s: string) => number = (s) => s.length): string | null {
  let cut = Math.min(text.length, max - 8);
  while (cut > 20 || (cut > 0 && cut === text.length)) {
    const block = codeBlock(clip(text, cut));
    const size = measure(block);
    if (size <= max) return block;
    // proportionally, since a character may weigh several units
    cut = Math.min(cut - 1, Math.floor((cut * max) / size));
  }
  return null;
}
