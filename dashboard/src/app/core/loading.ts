import { Injectable, computed, signal } from '@angular/core';

/** Counts requests in flight (the HTTP interceptor reports them); the toolbar shows a progress bar. */
@Injectable({ providedIn: 'root' })
export class Loading {
  private readonly count = signal(0);
  readonly active = computed(() => this.count() > 0);
  start(): void {
    this.count.update((n) => n + 1);
  }
  stop(): void {
    this.count.update((n) => Math.max(0, n - 1));
  }
}
