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
import { Api, problemOf } from '../api/api';
import type { Role, User } from '../api/models';
import { Auth } from '../auth/auth';
import { ConfirmDialog, type ConfirmData } from '../shared/confirm-dialog';
import { PasswordDialog } from './password-dialog';
import { ReportDialog } from './report-dialog';
import { exactTime } from '../core/time';

export const ROLES: readonly { value: Role; label: string; hint: string }[] = [
  { value: 'admin', label: 'Admin', hint: 'everything, including users' },
  { value: 'viewer', label: 'Viewer', hint: 'reads monitors, cannot change them' },
  { value: 'pinger', label: 'Pinger', hint: 'only sends pings (for jobs)' },
];

@Component({
  selector: 'hb-users',
  imports: [
    ReactiveFormsModule, MatTableModule, MatButtonModule, MatIconModule, MatCardModule, MatFormFieldModule, MatInputModule, MatSelectModule,
    MatTooltipModule, MatDialogModule, MatSnackBarModule, MatProgressSpinnerModule,
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

  ngOnInit(): void {
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
        this.snack.open(`Created ${v.username.trim()}.`, undefined, { duration: 3000 });
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

  protected fieldError(name: 'username' | 'password', label: string): string {
    const c = this.form.controls[name];
    if (c.hasError('server')) return c.getError('server') as string;
    if (c.hasError('required')) return `${label} is required`;
    if (c.hasError('maxlength')) return `${label} is too long`;
    return '';
  }

  protected changeRole(u: User, role: Role): void {
    if (role === u.role) return;
    this.api.updateUser(u.username, { role }).subscribe({
      next: () => {
        this.snack.open(`${u.username} is now ${role}.`, undefined, { duration: 3000 });
        this.users.update((list) => list.map((x) => (x.username === u.username ? { ...x, role } : x)));
      },
      error: (err) => {
        this.snack.open(problemOf(err).message, 'OK', { duration: 6000 });
        this.users.update((list) => [...list]); // puts the select back
      },
    });
  }

  protected resetPassword(u: User): void {
    this.dialog
      .open(PasswordDialog, { data: { username: u.username }, width: '400px', maxWidth: '95vw' })
      .afterClosed()
      .subscribe((ok) => {
        if (ok) this.snack.open(`Password of ${u.username} changed.`, undefined, { duration: 3000 });
      });
  }

  protected editReport(u: User): void {
    this.dialog
      .open(ReportDialog, { data: u, width: '440px', maxWidth: '95vw' })
      .afterClosed()
      .subscribe((saved?: User) => {
        if (!saved) return;
        this.snack.open(saved.weeklyReport ? `${u.username} gets the weekly report.` : `Saved.`, undefined, { duration: 3000 });
        this.users.update((list) => list.map((x) => (x.username === u.username ? { ...x, ...saved } : x)));
      });
  }

  protected remove(u: User): void {
    const data: ConfirmData = { title: 'Delete this user?', message: `“${u.username}” will no longer be able to sign in or ping.`, confirmLabel: 'Delete', danger: true };
    this.dialog
      .open(ConfirmDialog, { data, width: '400px', maxWidth: '95vw' })
      .afterClosed()
      .subscribe((ok) => {
        if (!ok) return;
        this.api.deleteUser(u.username).subscribe({
          next: () => {
            this.snack.open(`Deleted ${u.username}.`, undefined, { duration: 3000 });
            this.users.update((list) => list.filter((x) => x.username !== u.username));
          },
          error: (err) => this.snack.open(problemOf(err).message, 'OK', { duration: 6000 }),
        });
      });
  }

  protected roleHint(role: Role): string {
    return ROLES.find((r) => r.value === role)?.hint ?? '';
  }

  protected exact(iso: string | undefined): string {
    return exactTime(iso ?? null);
  }
}
