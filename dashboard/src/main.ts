import { bootstrapApplication } from '@angular/platform-browser';
import { appConfig } from './app/app.config';
import { App } from './app/app';
import { applyTheme, rememberedTheme } from './app/core/theme';

applyTheme(document.documentElement, rememberedTheme());
bootstrapApplication(App, appConfig).catch((err) => console.error(err));
