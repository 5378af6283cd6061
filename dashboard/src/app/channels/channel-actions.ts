// What the Channels page and a channel's page both do to a channel: send a test (and remember its
// answer by channel), and delete it after asking.

import { Injectable, inject, signal } from '@angular/core';
import { MatDialog } from '@angular/material/dialog';
import { MatSnackBar } from '@angular/material/snack-bar';
import { Observable, Subject } from 'rxjs';
import { Api, problemOf } from '../api/api';
import type { Channel, ChannelTestResult } from '../api/models';
import { I18n } from '../i18n/i18n';
import { confirmDeletion } from '../shared/confirm-dialog';

/** A test's outcome as shown: the API's answer, or a refusal (e.g. 403) worded as an error. */
export type TestOutcome = ChannelTestResult | { ok: false; error: string; durationMs: null };

@Injectable({ providedIn: 'root' })
export class ChannelActions {
  private readonly api = inject(Api);
  private readonly dialog = inject(MatDialog);
  private readonly snack = inject(MatSnackBar);
  private readonly i18n = inject(I18n);

  /** The last test of each channel this session, and the ones under way. */
  readonly tests = signal<ReadonlyMap<number, TestOutcome>>(new Map());
  readonly testing = signal<ReadonlySet<number>>(new Set());

  sendTest(c: Channel): void {
    this.testing.update((s) => new Set([...s, c.id]));
    const done = (r: TestOutcome) => {
      this.tests.update((m) => new Map(m).set(c.id, r));
      this.testing.update((s) => new Set([...s].filter((id) => id !== c.id)));
    };
    this.api.testChannel(c.id).subscribe({
      next: done,
      error: (err) => done({ ok: false, error: problemOf(err).message, durationMs: null }),
    });
  }

  /** Asks, deletes, says so; emits once deleted. */
  remove(c: Channel): Observable<void> {
    const out = new Subject<void>();
    confirmDeletion(
      this.dialog,
      this.i18n,
      this.i18n.t('channels.deleteTitle'),
      this.i18n.t(c.monitors ? 'channels.deleteMessageUsed' : 'channels.deleteMessage', {
        name: c.name,
        count: c.monitors,
      }),
    ).subscribe(() => {
      this.api.deleteChannel(c.id).subscribe({
        next: () => {
          this.snack.open(this.i18n.t('channels.deleted', { name: c.name }), undefined, { duration: 3000 });
          out.next();
          out.complete();
        },
        error: (err) => this.snack.open(problemOf(err).message, this.i18n.t('common.ok'), { duration: 6000 }),
      });
    });
    return out;
  }
}
