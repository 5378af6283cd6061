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

/** Sends `GET url` now (same-origin, with the session cookie); the app's first GET of it gets the answer. */
export function requestEarly(url: string): void {
  early.set(
    url,
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(async (res) => ({ status: res.status, body: res.ok ? await res.json() : null }))
      .catch(() => null),
  );
}

/** Drops the answers nobody asked for: they would be stale by the next time anybody does. */
export function discardEarly(): void {
  early.clear();
}

/** A GET with an early answer waiting gets it instead of going out again, when it succeeded. */
export const earlyInterceptor: HttpInterceptorFn = (req, next) => {
  const answer = req.method === 'GET' ? early.get(req.urlWithParams) : undefined;
  if (!answer) return next(req);
  early.delete(req.urlWithParams);
  return from(answer).pipe(
    mergeMap((a) =>
      a && a.status >= 200 && a.status < 300
        ? of(new HttpResponse({ status: a.status, body: a.body, url: req.urlWithParams }))
        : next(req),
    ),
  );
};
