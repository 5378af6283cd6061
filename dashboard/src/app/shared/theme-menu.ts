import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatMenuModule } from '@angular/material/menu';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatTooltipModule } from '@angular/material/tooltip';
import { problemOf } from '../api/api';
import { THEMES, ThemeChoice, type Theme } from '../core/theme';
import { I18n } from '../i18n/i18n';

const ICON: Record<Theme, string> = { system: 'theme-system', light: 'theme-light', dark: 'theme-dark' };

/** The toolbar's colour scheme menu: system / light / dark, kept with the user. */
@Component({
  selector: 'hb-theme-menu',
  imports: [MatButtonModule, MatIconModule, MatMenuModule, MatTooltipModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <button
      mat-icon-button
      type="button"
      [matMenuTriggerFor]="menu"
      data-testid="theme-menu"
      [attr.data-theme]="choice.theme()"
      [attr.aria-label]="i18n.t('theme.current', { theme: label(choice.theme()) })"
      [matTooltip]="i18n.t('theme.label')"
    >
      <mat-icon [svgIcon]="icon(choice.theme())" />
    </button>
    <mat-menu #menu="matMenu">
      @for (t of themes; track t) {
        <button
          mat-menu-item
          type="button"
          role="menuitemradio"
          [attr.aria-checked]="choice.theme() === t"
          [attr.data-testid]="'theme-' + t"
          (click)="choose(t)"
        >
          <mat-icon [svgIcon]="icon(t)" />
          <span [class.chosen]="choice.theme() === t">{{ label(t) }}</span>
        </button>
      }
    </mat-menu>
  `,
  styles: `
    .chosen {
      font-weight: 600;
    }
  `,
})
export class ThemeMenu {
  protected readonly choice = inject(ThemeChoice);
  protected readonly i18n = inject(I18n);
  private readonly snack = inject(MatSnackBar);
  protected readonly themes = THEMES;

  protected label(t: Theme): string {
    return this.i18n.t(`theme.${t}`);
  }

  protected icon(t: Theme): string {
    return ICON[t];
  }

  protected async choose(t: Theme): Promise<void> {
    try {
      await this.choice.choose(t);
    } catch (err) {
      this.snack.open(problemOf(err).message, this.i18n.t('common.ok'), { duration: 6000 });
    }
  }
}
