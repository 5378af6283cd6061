import { ChangeDetectionStrategy, Component, OnInit, computed, inject, signal } from '@angular/core';
import { FormControl, FormGroup, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { Api, problemOf } from '../api/api';
import type { AuditEntry } from '../api/models';
import { exactTime } from '../core/time';
import { I18n } from '../i18n/i18n';
import { changeLines } from './change-lines';

/** The areas the log's actions belong to (`<area>.<verb>`), for the action filter. */
const AREAS = [
  'monitor',
  'channel',
  'user',
  'key',
  'host',
  'maintenance',
  'settings',
  'signin',
  'factor',
  'recovery-codes',
  'badge',
  'backup',
] as const;
const PAGE = 50;

/** The audit log (admins): who changed what, when and from where, and every sign-in; newest first. */
@Component({
  selector: 'hb-audit',
  imports: [ReactiveFormsModule, MatButtonModule, MatFormFieldModule, MatIconModule, MatInputModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './audit.html',
  styleUrl: './audit.css',
})
export class AuditPage implements OnInit {
  private readonly api = inject(Api);
  protected readonly i18n = inject(I18n);
  protected readonly areas = AREAS;

  protected readonly entries = signal<AuditEntry[]>([]);
  protected readonly total = signal(0);
  protected readonly offset = signal(0);
  protected readonly loading = signal(true);
  protected readonly error = signal('');
  protected readonly range = computed(() => ({
    from: this.total() ? this.offset() + 1 : 0,
    to: this.offset() + this.entries().length,
    total: this.total(),
  }));

  protected readonly filters = new FormGroup({
    actor: new FormControl('', { nonNullable: true }),
    action: new FormControl('', { nonNullable: true }),
  });

  ngOnInit(): void {
    this.load();
  }

  protected search(): void {
    this.offset.set(0);
    this.load();
  }

  protected page(delta: number): void {
    this.offset.update((o) => Math.max(0, o + delta * PAGE));
    this.load();
  }

  protected hasNext(): boolean {
    return this.offset() + this.entries().length < this.total();
  }

  private load(): void {
    this.loading.set(true);
    const f = this.filters.getRawValue();
    this.api
      .audit({ limit: PAGE, offset: this.offset(), actor: f.actor.trim() || undefined, action: f.action || undefined })
      .subscribe({
        next: (p) => {
          this.entries.set(p.items);
          this.total.set(p.total);
          this.loading.set(false);
          this.error.set('');
        },
        error: (err) => {
          this.error.set(problemOf(err).message);
          this.loading.set(false);
        },
      });
  }

  protected lines(e: AuditEntry): string[] {
    return changeLines(e.changes);
  }

  protected exact(iso: string): string {
    return exactTime(iso, undefined, this.i18n.locale());
  }

  protected areaLabel(area: string): string {
    return this.i18n.t(`audit.area.${area}` as never);
  }
}
