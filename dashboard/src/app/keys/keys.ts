import { ChangeDetectionStrategy, Component, OnInit, computed, inject, signal, viewChild } from '@angular/core';
import { FormControl, FormGroup, FormGroupDirective, ReactiveFormsModule, Validators } from '@angular/forms';
import { ClipboardModule } from '@angular/cdk/clipboard';
import { MatTableModule } from '@angular/material/table';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatTooltipModule } from '@angular/material/tooltip';
import { MatDialog, MatDialogModule } from '@angular/material/dialog';
import { MatSnackBar, MatSnackBarModule } from '@angular/material/snack-bar';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { Api, problemOf } from '../api/api';
import { KEY_SCOPES, type ApiKey, type KeyScope, type NewApiKey } from '../api/models';
import { confirmAction } from '../shared/confirm-dialog';
import { exactTime, relativeTime } from '../core/time';
import { Now } from '../core/now';
import { I18n } from '../i18n/i18n';

/** The API's limit on a key's name (services/registry/params.ts keyFields). */
const NAME_MAX = 100;

/** API keys (admins): make one and see it once, list them with when each was last used, revoke. */
@Component({
  selector: 'hb-keys',
  imports: [
    ReactiveFormsModule,
    ClipboardModule,
    MatTableModule,
    MatButtonModule,
    MatIconModule,
    MatCardModule,
    MatFormFieldModule,
    MatInputModule,
    MatTooltipModule,
    MatDialogModule,
    MatSnackBarModule,
    MatProgressSpinnerModule,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './keys.html',
  styleUrl: './keys.css',
})
export class KeysPage implements OnInit {
  private readonly api = inject(Api);
  private readonly dialog = inject(MatDialog);
  private readonly snack = inject(MatSnackBar);
  private readonly clock = inject(Now);
  protected readonly i18n = inject(I18n);
  protected readonly scopes = KEY_SCOPES;

  protected readonly keys = signal<ApiKey[]>([]);
  /** Revoked keys last: the ones that still work are what an admin looks for. */
  protected readonly sorted = computed(() =>
    [...this.keys()].sort((a, b) => Number(a.revokedAt !== null) - Number(b.revokedAt !== null) || b.id - a.id),
  );
  protected readonly loading = signal(true);
  protected readonly error = signal('');
  protected readonly creating = signal(false);
  protected readonly createError = signal('');
  /** The key just made: shown until dismissed, and never again. */
  protected readonly fresh = signal<NewApiKey | null>(null);
  protected readonly columns = ['name', 'scope', 'createdAt', 'lastUsedAt', 'actions'];

  protected readonly form = new FormGroup({
    name: new FormControl('', {
      nonNullable: true,
      validators: [Validators.required, Validators.maxLength(NAME_MAX)],
    }),
    scope: new FormControl<KeyScope>('read', { nonNullable: true }),
  });
  /** resetForm() also clears "submitted", which would otherwise show the emptied name as an error. */
  private readonly formDirective = viewChild.required(FormGroupDirective);

  ngOnInit(): void {
    this.load();
  }

  protected load(): void {
    this.loading.set(true);
    this.api.apiKeys().subscribe({
      next: (r) => {
        this.keys.set(r.items);
        this.loading.set(false);
        this.error.set('');
      },
      error: (err) => {
        this.error.set(problemOf(err).message);
        this.loading.set(false);
      },
    });
  }

  protected create(): void {
    this.createError.set('');
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const v = this.form.getRawValue();
    this.creating.set(true);
    this.api.createApiKey({ name: v.name.trim(), scope: v.scope }).subscribe({
      next: (made) => {
        this.creating.set(false);
        this.fresh.set(made);
        this.formDirective().resetForm({ name: '', scope: v.scope });
        const { key: _shownOnce, ...listed } = made;
        this.keys.update((list) => [...list, listed]);
      },
      error: (err) => {
        this.creating.set(false);
        const p = problemOf(err);
        const named = p.fields.find((f) => f.field === 'name' || f.field === 'scope');
        if (named) {
          const c = this.form.controls[named.field as 'name' | 'scope'];
          c.setErrors({ server: named.message });
          c.markAsTouched();
        } else this.createError.set(p.message);
      },
    });
  }

  protected nameError(): string {
    const c = this.form.controls.name;
    if (c.hasError('server')) return c.getError('server') as string;
    if (c.hasError('required')) return this.i18n.t('keys.nameRequired');
    if (c.hasError('maxlength')) return this.i18n.t('keys.nameTooLong', { max: NAME_MAX });
    return '';
  }

  protected copied(ok: boolean): void {
    this.snack.open(this.i18n.t(ok ? 'keys.copied' : 'keys.copyFailed'), undefined, { duration: 2000 });
  }

  protected revoke(k: ApiKey): void {
    confirmAction(this.dialog, {
      title: this.i18n.t('keys.revokeTitle'),
      message: this.i18n.t('keys.revokeMessage', { name: k.name, prefix: k.prefix }),
      confirmLabel: this.i18n.t('keys.revoke'),
      danger: true,
    }).subscribe(() => {
      this.api.revokeApiKey(k.id).subscribe({
        next: (revoked) => {
          this.snack.open(this.i18n.t('keys.revokedName', { name: k.name }), undefined, { duration: 3000 });
          this.keys.update((list) => list.map((x) => (x.id === k.id ? { ...x, revokedAt: revoked.revokedAt } : x)));
          if (this.fresh()?.id === k.id) this.fresh.set(null);
        },
        error: (err) => this.snack.open(problemOf(err).message, this.i18n.t('common.ok'), { duration: 6000 }),
      });
    });
  }

  protected scopeLabel(scope: KeyScope): string {
    return this.i18n.t(`keys.scope.${scope}`);
  }
  protected scopeHint(scope: KeyScope): string {
    return this.i18n.t(`keys.scopeHint.${scope}`);
  }
  protected rel(iso: string): string {
    return relativeTime(iso, this.clock.now(), this.i18n.locale());
  }
  protected exact(iso: string | null): string {
    return exactTime(iso, undefined, this.i18n.locale());
  }
}
