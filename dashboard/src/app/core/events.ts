import { Injectable, NgZone, inject, signal } from '@angular/core';
import { Subject } from 'rxjs';
import type { Monitor } from '../api/models';

export type MonitorEvent = { type: 'monitor'; monitor: Monitor } | { type: 'deleted'; id: number };

/**
 * The server's live updates: one EventSource on /api/v1/events (same origin, cookie auth) while
 * signed in. `event: monitor` carries a Monitor, `event: monitor-deleted` carries {id}.
 */
@Injectable({ providedIn: 'root' })
export class LiveEvents {
  private readonly zone = inject(NgZone);
  private source: EventSource | null = null;
  private readonly subject = new Subject<MonitorEvent>();
  readonly events$ = this.subject.asObservable();
  private readonly endedSubject = new Subject<void>();
  /**
   * The stream ended for good: the server said its session ended (a logout, a password or role
   * change elsewhere), or refused to reopen it. Whoever owns the session checks it.
   */
  readonly ended$ = this.endedSubject.asObservable();
  /** 'live' while connected; 'connecting' while the browser retries. */
  readonly state = signal<'off' | 'connecting' | 'live'>('off');

  private wanted = false;
  private retry: ReturnType<typeof setTimeout> | undefined;

  connect(): void {
    this.wanted = true;
    if (this.source || typeof EventSource === 'undefined') return;
    const source = new EventSource('/api/v1/events');
    this.source = source;
    this.state.set('connecting');
    source.onopen = () => this.state.set('live');
    source.onerror = () => {
      if (source.readyState !== EventSource.CLOSED) {
        this.state.set('connecting'); // the browser retries by itself
        return;
      }
      // An HTTP error ends an EventSource for good: try again later while still wanted.
      this.state.set('connecting');
      this.source = null;
      this.zone.run(() => this.endedSubject.next());
      clearTimeout(this.retry);
      this.retry = setTimeout(() => {
        if (this.wanted) this.connect();
      }, 5000);
    };
    source.addEventListener('monitor', (e) => {
      const monitor = parse<Monitor>((e as MessageEvent).data);
      if (monitor && typeof monitor.id === 'number')
        this.zone.run(() => this.subject.next({ type: 'monitor', monitor }));
    });
    source.addEventListener('session-ended', () => {
      source.close();
      this.source = null;
      this.state.set('off');
      this.zone.run(() => this.endedSubject.next());
    });
    source.addEventListener('monitor-deleted', (e) => {
      const d = parse<{ id: number }>((e as MessageEvent).data);
      if (d && typeof d.id === 'number') this.zone.run(() => this.subject.next({ type: 'deleted', id: d.id }));
    });
  }

  disconnect(): void {
    this.wanted = false;
    clearTimeout(this.retry);
    this.source?.close();
    this.source = null;
    this.state.set('off');
  }
}

function parse<T>(data: unknown): T | null {
  if (typeof data !== 'string') return null;
  try {
    return JSON.parse(data) as T;
  } catch {
    return null;
  }
}
