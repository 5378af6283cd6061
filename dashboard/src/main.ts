import { bootstrapApplication } from '@angular/platform-browser';
import { appConfig } from './app/app.config';
import { App } from './app/app';
import { applyTheme, rememberedTheme } from './app/core/theme';
import { requestEarly } from './app/core/early-requests';
import { SESSION_URL, monitorListUrl } from './app/api/api';
import { listQueryOf, listStateOf } from './app/monitors/list-query';

applyTheme(document.documentElement, rememberedTheme());
// The first screen's reads go out now, while Angular starts (core/early-requests.ts).
requestEarly(SESSION_URL);
if (location.pathname === '/' || location.pathname === '/monitors')
  requestEarly(monitorListUrl(listQueryOf(listStateOf(new URLSearchParams(location.search)))));
bootstrapApplication(App, appConfig).catch((err) => console.error(err));
