import { HttpResponse, type HttpInterceptorFn } from '@angular/common/http';
import { from, mergeMap, of } from 'rxjs';

// The first screen's reads, sent by main.ts before Angular starts: the session check and, on the
// monitor list, its first page. Started after the app is up, each waited for the one before it
// (the page for the session guard, the session for the app's start), so both round trips and a
// second render of the list sat on the first screen's path. Each answer is handed once, to the
// first GET of the same URL, and only if it succeeded: anything else is asked for again, as if
// it had never been sent. What nobody took by the end of the first navigation is dropped.

interface EarlyAnswer {
  status: number;
  body: unknown;
}

const early = new Map<string, Promise<EarlyAnswer | null>>();
/** Answers already in: handed over synchronously, so a page asking for one in its constructor has its rows before its first render. */
const arrived = new Map<string, EarlyAnswer | null>();

/** Sends `GET url` now (same-origin, with the session cookie); the app's first GET of it gets the answer. */
export function requestEarly(url: string): void {
  const answer = fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
    .then(async (res) => ({ status: res.status, body: res.ok ? await res.json() : null }))
    .catch(() => null)
    .then((a) => {
      if (early.has(url)) arrived.set(url, a);
      return a;
    });
  early.set(url, answer);
}

/**
 * Settles when every early read has its answer, or after `maxWaitMs`: the app starts its first
 * navigation after this, so the list is drawn once, with its rows, rather than empty and then
 * again when the page arrives. The wait is bounded so that a slow server still gets the
 * skeleton and its spinner soon.
 */
export function earlyAnswersSettled(maxWaitMs = 300): Promise<void> {
  if (!early.size) return Promise.resolve();
  return Promise.race([
    Promise.all(early.values()).then(() => undefined),
    new Promise<void>((resolve) => setTimeout(resolve, maxWaitMs)),
  ]);
}

/** Drops the answers nobody asked for: they would be stale by the next time anybody does. */
export function discardEarly(): void {
  early.clear();
  arrived.clear();
}

/** A GET with an early answer waiting gets it instead of going out again, when it succeeded. */
export const earlyInterceptor: HttpInterceptorFn = (req, next) => {
  const url = req.urlWithParams;
  const answer = req.method === 'GET' ? early.get(url) : undefined;
  if (!answer) return next(req);
  const ready = arrived.has(url);
  const a = arrived.get(url);
  early.delete(url);
  arrived.delete(url);
  const use = (a: EarlyAnswer | null) =>
    a && a.status >= 200 && a.status < 300 ? of(new HttpResponse({ status: a.status, body: a.body, url })) : next(req);
  return ready ? use(a ?? null) : from(answer).pipe(mergeMap(use));
};
