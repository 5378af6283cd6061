import { Directive, ElementRef, inject, input } from '@angular/core';
import { exactTime } from '../core/time';
import { I18n } from '../i18n/i18n';

/**
 * The exact local time as the element's title, written when the pointer reaches it. A list page
 * shows a hundred times: formatting each up front (and again at every tick of the relative-time
 * clock) cost its first screen tens of milliseconds for titles hardly anyone reads.
 */
@Directive({
  selector: '[hbExactTitle]',
  host: { '(pointerenter)': 'write()' },
})
export class ExactTitle {
  readonly hbExactTitle = input.required<string | null>();
  private readonly el = inject<ElementRef<HTMLElement>>(ElementRef);
  private readonly i18n = inject(I18n);

  protected write(): void {
    this.el.nativeElement.title = exactTime(this.hbExactTitle(), undefined, this.i18n.locale());
  }
}
