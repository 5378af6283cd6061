import { inject } from '@angular/core';
import { Router, type CanActivateChildFn, type CanActivateFn } from '@angular/router';
import { Auth } from './auth';

/** Signed in, or off to /login (coming back afterwards). */
export const authGuard: CanActivateChildFn = async (_route, state) => {
  const auth = inject(Auth);
  const router = inject(Router);
  if (await auth.ensureSession()) {
    // An admin who must add a second factor sees the account page until they have.
    if (auth.enrolRequired() && !state.url.startsWith('/account')) return router.createUrlTree(['/account']);
    return true;
  }
  return router.createUrlTree(['/login'], {
    queryParams: state.url && state.url !== '/' ? { returnUrl: state.url } : {},
  });
};

/** Pages that change monitors: admins only; others see the list. */
export const editorGuard: CanActivateFn = async () => {
  const auth = inject(Auth);
  const router = inject(Router); // before any await: inject() needs the injection context
  await auth.ensureSession();
  return auth.canEdit() ? true : router.createUrlTree(['/monitors']);
};

export const adminGuard: CanActivateFn = async () => {
  const auth = inject(Auth);
  const router = inject(Router);
  await auth.ensureSession();
  return auth.isAdmin() ? true : router.createUrlTree(['/monitors']);
};
