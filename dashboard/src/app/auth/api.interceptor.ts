import { HttpErrorResponse, type HttpInterceptorFn } from '@angular/common/http';
import { inject } from '@angular/core';
import { Router } from '@angular/router';
import { catchError, finalize, throwError } from 'rxjs';
import { Auth } from './auth';
import { Loading } from '../core/loading';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every API call: the CSRF header on non-GET requests, the global loading indicator, and a
 * redirect to the sign-in page when the session has expired (401).
 */
export const apiInterceptor: HttpInterceptorFn = (req, next) => {
  const auth = inject(Auth);
  const router = inject(Router);
  const loading = inject(Loading);
  const token = auth.csrfToken();
  if (!SAFE.has(req.method) && token) {
    req = req.clone({ setHeaders: { 'X-CSRF-Token': token } });
  }
  loading.start();
  return next(req).pipe(
    catchError((err: unknown) => {
      const isSession = req.url.endsWith('/api/v1/session');
      if (err instanceof HttpErrorResponse && err.status === 401 && !isSession && auth.user()) {
        auth.clear();
        const returnUrl = router.url.startsWith('/login') ? undefined : router.url;
        void router.navigate(['/login'], { queryParams: { ended: 1, ...(returnUrl ? { returnUrl } : {}) } });
      }
      // Admins must have a second factor and this one has none yet (the setting changed meanwhile).
      if (err instanceof HttpErrorResponse && err.status === 403 && err.error?.error?.code === 'SECOND_FACTOR_REQUIRED')
        void auth.recheck().then(() => router.navigate(['/account']));
      return throwError(() => err);
    }),
    finalize(() => loading.stop()),
  );
};
