import { ChangeDetectionStrategy, Component, inject, input } from '@angular/core';
import { MatIconModule } from '@angular/material/icon';
import { I18n } from '../i18n/i18n';
import { formatMs } from '../core/time';
import type { TestOutcome } from './channel-actions';

/** "Test sent · 42 ms" or "Test failed: … · 2.0 s" after a channel's "Send test". */
@Component({
  selector: 'hb-channel-test-line',
  imports: [MatIconModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <span
      class="result"
      [class.ok]="result().ok"
      [class.error-text]="!result().ok"
      role="status"
      data-testid="channel-test-result"
      [attr.data-ok]="result().ok"
    >
      <mat-icon [svgIcon]="result().ok ? 'status-up' : 'status-down'" aria-hidden="true" />
      <span>
        @if (result().ok) {
          {{ i18n.t('channels.testOk') }}
        } @else {
          {{ i18n.t('channels.testFailed', { error: error() }) }}
        }
        @if (result().durationMs !== null) {
          · <span data-testid="channel-test-duration">{{ ms(result().durationMs!) }}</span>
        }
      </span>
    </span>
  `,
  styles: `
    .result {
      display: inline-flex;
      align-items: flex-start;
      gap: 4px;
      font-size: 13px;
      overflow-wrap: anywhere;
    }
    .ok {
      color: var(--hb-up);
    }
    mat-icon {
      flex: none;
      width: 18px;
      height: 18px;
    }
  `,
})
export class ChannelTestLine {
  readonly result = input.required<TestOutcome>();
  protected readonly i18n = inject(I18n);

  protected error(): string {
    const r = this.result();
    return r.ok ? '' : r.error;
  }
  protected ms(n: number): string {
    return formatMs(n, this.i18n.locale());
  }
}
