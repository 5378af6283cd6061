import { ApplicationConfig, inject, provideAppInitializer, provideBrowserGlobalErrorListeners } from '@angular/core';
import { provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import { TitleStrategy, provideRouter, withComponentInputBinding } from '@angular/router';
import { MatIconRegistry } from '@angular/material/icon';
import { DomSanitizer } from '@angular/platform-browser';
import { MAT_FORM_FIELD_DEFAULT_OPTIONS } from '@angular/material/form-field';
import { routes } from './app.routes';
import { apiInterceptor } from './auth/api.interceptor';
import { earlyAnswersSettled, earlyInterceptor } from './core/early-requests';
import { registerIcons } from './icons';
import { MatPaginatorIntl } from '@angular/material/paginator';
import { I18nPaginatorIntl, I18nTitleStrategy } from './i18n/i18n';

export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideRouter(routes, withComponentInputBinding()),
    provideHttpClient(withFetch(), withInterceptors([apiInterceptor, earlyInterceptor])),
    provideAppInitializer(() => registerIcons(inject(MatIconRegistry), inject(DomSanitizer))),
    provideAppInitializer(() => earlyAnswersSettled()),
    { provide: MatPaginatorIntl, useClass: I18nPaginatorIntl },
    { provide: TitleStrategy, useClass: I18nTitleStrategy },
    { provide: MAT_FORM_FIELD_DEFAULT_OPTIONS, useValue: { appearance: 'outline', subscriptSizing: 'dynamic' } },
  ],
};
