import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { MatIconModule } from '@angular/material/icon';
import type { StatusMeta } from './status';

/** A state as colour AND icon AND text, so it reads without colour too. Monitor and host chips both draw with it. */
@Component({
  selector: 'hb-chip',
  imports: [MatIconModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <span [class]="'chip tone-' + meta().tone" [attr.title]="meta().description">
      <mat-icon [svgIcon]="meta().icon" aria-hidden="true" />
      <span>{{ meta().label }}</span>
    </span>
  `,
  styles: `
    :host {
      display: inline-flex;
    }
    .chip {
      display: inline-flex;
      align-items: center;
      gap: 4px;
      padding: 2px 10px 2px 6px;
      border-radius: 999px;
      font-size: 13px;
      font-weight: 500;
      line-height: 20px;
      white-space: nowrap;
    }
    mat-icon {
      width: 18px;
      height: 18px;
      font-size: 18px;
    }
    .tone-new {
      color: var(--hb-new);
      background: var(--hb-new-bg);
    }
    .tone-up {
      color: var(--hb-up);
      background: var(--hb-up-bg);
    }
    .tone-late {
      color: var(--hb-late);
      background: var(--hb-late-bg);
    }
    .tone-down {
      color: var(--hb-down);
      background: var(--hb-down-bg);
    }
    .tone-paused {
      color: var(--hb-paused);
      background: var(--hb-paused-bg);
    }
  `,
})
export class Chip {
  readonly meta = input.required<StatusMeta>();
}
