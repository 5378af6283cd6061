import { Injectable, signal, DestroyRef, inject } from '@angular/core';

/** The current time as a signal, ticking every 15 s, so relative times ("3 min ago") stay fresh. */
@Injectable({ providedIn: 'root' })
export class Now {
  readonly now = signal(Date.now());
  constructor() {
    const id = setInterval(() => this.now.set(Date.now()), 15_000);
    inject(DestroyRef).onDestroy(() => clearInterval(id));
  }
}
