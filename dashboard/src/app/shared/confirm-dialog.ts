import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MAT_DIALOG_DATA, MatDialog, MatDialogModule } from '@angular/material/dialog';
import { filter, type Observable } from 'rxjs';
import { MatButtonModule } from '@angular/material/button';
import { I18n } from '../i18n/i18n';

export interface ConfirmData {
  title: string;
  message: string;
  confirmLabel?: string;
  danger?: boolean;
}

/** "Are you sure?" — closes with true on confirm. */
@Component({
  selector: 'hb-confirm-dialog',
  imports: [MatDialogModule, MatButtonModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2 mat-dialog-title>{{ data.title }}</h2>
    <mat-dialog-content>
      <p class="message">{{ data.message }}</p>
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button mat-button type="button" [mat-dialog-close]="false" data-testid="cancel">
        {{ i18n.t('common.cancel') }}
      </button>
      <button
        mat-flat-button
        type="button"
        [class.danger]="data.danger"
        [mat-dialog-close]="true"
        data-testid="confirm"
        cdkFocusInitial
      >
        {{ data.confirmLabel ?? i18n.t('common.ok') }}
      </button>
    </mat-dialog-actions>
  `,
  styles: `
    .message {
      overflow-wrap: anywhere;
    }
    .danger {
      --mat-button-filled-container-color: var(--mat-sys-error);
      --mat-button-filled-label-text-color: var(--mat-sys-on-error);
    }
  `,
})
export class ConfirmDialog {
  protected readonly data = inject<ConfirmData>(MAT_DIALOG_DATA);
  protected readonly i18n = inject(I18n);
}

/** Asks first; emits once, and only when the user confirmed. */
export function confirmAction(dialog: MatDialog, data: ConfirmData): Observable<true> {
  return dialog
    .open(ConfirmDialog, { data, width: '420px', maxWidth: '95vw' })
    .afterClosed()
    .pipe(filter((ok): ok is true => ok === true));
}

/** Asks before a deletion; emits once, and only when the user confirmed. */
export function confirmDeletion(dialog: MatDialog, i18n: I18n, title: string, message: string): Observable<true> {
  return confirmAction(dialog, { title, message, confirmLabel: i18n.t('detail.delete'), danger: true });
}
