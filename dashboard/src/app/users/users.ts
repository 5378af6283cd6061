import { ChangeDetectionStrategy, Component, OnInit, inject, signal } from '@angular/core';
import { FormControl, FormGroup, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatTableModule } from '@angular/material/table';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { MatTooltipModule } from '@angular/material/tooltip';
import { MatDialog, MatDialogModule } from '@angular/material/dialog';
import { MatSnackBar, MatSnackBarModule } from '@angular/material/snack-bar';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { Api, problemOf } from '../api/api';
import type { Role, User } from '../api/models';
import { Auth } from '../auth/auth';
import { confirmDeletion } from '../shared/confirm-dialog';
import { PasswordDialog } from './password-dialog';
import { ReportDialog } from './report-dialog';
import { exactTime } from '../core/time';
import { I18n } from '../i18n/i18n';

export const ROLES: readonly Role[] = ['admin', 'viewer', 'pinger'];

@Component({
  selector: 'hb-users',
  imports: [
    ReactiveFormsModule,
    MatTableModule,
    MatButtonModule,
    MatIconModule,
    MatCardModule,
    MatFormFieldModule,
    MatInputModule,
    MatSelectModule,
    MatTooltipModule,
    MatDialogModule,
    MatSnackBarModule,
    MatProgressSpinnerModule,
    MatSlideToggleModule,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './users.html',
  styleUrl: './users.css',
})
export class UsersPage implements OnInit {
  private readonly api = inject(Api);
  private readonly dialog = inject(MatDialog);
  private readonly snack = inject(MatSnackBar);
  protected readonly auth = inject(Auth);
  protected readonly i18n = inject(I18n);
  protected readonly roles = ROLES;

  protected readonly users = signal<User[]>([]);
  protected readonly loading = signal(true);
  protected readonly error = signal('');
  protected readonly creating = signal(false);
  protected readonly createError = signal('');
  protected readonly columns = ['username', 'role', 'report', 'createdAt', 'actions'];

  protected readonly form = new FormGroup({
    username: new FormControl('', { nonNullable: true, validators: [Validators.required, Validators.maxLength(64)] }),
    password: new FormControl('', { nonNullable: true, validators: [Validators.required] }),
    role: new FormControl<Role>('viewer', { nonNullable: true }),
  });

  /** Whether admins must sign in with a second factor (the installation's setting); null until read. */
  protected readonly requireAdminFactor = signal<boolean | null>(null);

  protected setRequireAdminFactor(on: boolean): void {
    this.api.updateSettings({ requireAdminSecondFactor: on }).subscribe({
      next: (s) => {
        this.requireAdminFactor.set(s.requireAdminSecondFactor);
        this.snack.open(this.i18n.t(on ? 'users.requireOn' : 'users.requireOff'), undefined, { duration: 4000 });
      },
      error: (err) => {
        // The toggle goes back to what the server has.
        const was = this.requireAdminFactor();
        this.requireAdminFactor.set(null);
        this.requireAdminFactor.set(was);
        this.snack.open(problemOf(err).message, this.i18n.t('common.ok'), { duration: 6000 });
      },
    });
  }

  ngOnInit(): void {
    this.api.settings().subscribe({ next: (s) => this.requireAdminFactor.set(s.requireAdminSecondFactor) });
    this.load();
  }

  protected load(): void {
    this.loading.set(true);
    this.api.users().subscribe({
      next: (r) => {
        this.users.set(r.items);
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
    this.api.createUser({ username: v.username.trim(), password: v.password, role: v.role }).subscribe({
      next: () => {
        this.creating.set(false);
        this.snack.open(this.i18n.t('users.createdName', { name: v.username.trim() }), undefined, { duration: 3000 });
        this.form.reset({ username: '', password: '', role: v.role });
        this.load();
      },
      error: (err) => {
        this.creating.set(false);
        const p = problemOf(err);
        let shown = false;
        for (const f of p.fields) {
          const c = this.form.get(f.field);
          if (c) {
            c.setErrors({ server: f.message });
            c.markAsTouched();
            shown = true;
          }
        }
        if (!shown) this.createError.set(p.message);
      },
    });
  }

  protected fieldError(name: 'username' | 'password'): string {
    const c = this.form.controls[name];
    if (c.hasError('server')) return c.getError('server') as string;
    if (c.hasError('required'))
      return this.i18n.t(name === 'username' ? 'login.usernameRequired' : 'login.passwordRequired');
    if (c.hasError('maxlength')) return this.i18n.t('users.tooLong');
    return '';
  }

  protected changeRole(u: User, role: Role): void {
    if (role === u.role) return;
    this.api.updateUser(u.username, { role }).subscribe({
      next: () => {
        this.snack.open(this.i18n.t('users.nowRole', { name: u.username, role: this.roleLabel(role) }), undefined, {
          duration: 3000,
        });
        this.users.update((list) => list.map((x) => (x.username === u.username ? { ...x, role } : x)));
      },
      error: (err) => {
        this.snack.open(problemOf(err).message, this.i18n.t('common.ok'), { duration: 6000 });
        this.users.update((list) => [...list]); // puts the select back
      },
    });
  }

  protected resetPassword(u: User): void {
    this.dialog
      .open(PasswordDialog, { data: { username: u.username }, width: '400px', maxWidth: '95vw' })
      .afterClosed()
      .subscribe((ok) => {
        if (ok)
          this.snack.open(this.i18n.t('users.passwordChanged', { name: u.username }), undefined, { duration: 3000 });
      });
  }

  protected editReport(u: User): void {
    this.dialog
      .open(ReportDialog, { data: u, width: '440px', maxWidth: '95vw' })
      .afterClosed()
      .subscribe((saved?: User) => {
        if (!saved) return;
        this.snack.open(
          saved.weeklyReport ? this.i18n.t('users.reportOn', { name: u.username }) : this.i18n.t('users.saved'),
          undefined,
          { duration: 3000 },
        );
        this.users.update((list) => list.map((x) => (x.username === u.username ? { ...x, ...saved } : x)));
      });
  }

  protected remove(u: User): void {
    confirmDeletion(
      this.dialog,
      this.i18n,
      this.i18n.t('users.deleteTitle'),
      this.i18n.t('users.deleteMessage', { name: u.username }),
    ).subscribe(() => {
      this.api.deleteUser(u.username).subscribe({
        next: () => {
          this.snack.open(this.i18n.t('users.deletedName', { name: u.username }), undefined, { duration: 3000 });
          this.users.update((list) => list.filter((x) => x.username !== u.username));
        },
        error: (err) => this.snack.open(problemOf(err).message, this.i18n.t('common.ok'), { duration: 6000 }),
      });
    });
  }

  protected roleHint(role: Role): string {
    return this.i18n.t(`users.hint.${role}`);
  }

  protected roleLabel(role: Role): string {
    return this.i18n.t(`users.label.${role}`);
  }

  protected exact(iso: string | undefined): string {
    return exactTime(iso ?? null, undefined, this.i18n.locale());
  }
}
