import { Routes } from '@angular/router';
import { adminGuard, authGuard, editorGuard } from './auth/guards';
import { MonitorListPage } from './monitors/monitor-list';

// Each title is a message key: I18nTitleStrategy (i18n/i18n.ts) shows it in the current language.
// The monitor list is where everyone lands, so it is in the first bundle, fetched in parallel with
// the app (modulepreload) rather than after the session check; other pages load when visited.

export const routes: Routes = [
  { path: 'login', title: 'login.submit', loadComponent: () => import('./login/login').then((m) => m.LoginPage) },
  {
    path: '',
    canActivateChild: [authGuard],
    children: [
      { path: '', pathMatch: 'full', redirectTo: 'monitors' },
      {
        path: 'monitors',
        title: 'app.monitors',
        component: MonitorListPage,
      },
      {
        path: 'monitors/new',
        title: 'list.new',
        canActivate: [editorGuard],
        loadComponent: () => import('./monitors/monitor-form').then((m) => m.MonitorFormPage),
      },
      {
        path: 'monitors/:id',
        title: 'detail.monitor',
        loadComponent: () => import('./monitors/monitor-detail').then((m) => m.MonitorDetailPage),
      },
      {
        path: 'monitors/:id/edit',
        title: 'form.editTitle',
        canActivate: [editorGuard],
        loadComponent: () => import('./monitors/monitor-form').then((m) => m.MonitorFormPage),
      },
      {
        path: 'hosts',
        title: 'app.hosts',
        canActivate: [adminGuard],
        loadComponent: () => import('./hosts/host-list').then((m) => m.HostListPage),
      },
      {
        path: 'hosts/new',
        title: 'hosts.new',
        canActivate: [adminGuard],
        loadComponent: () => import('./hosts/host-form').then((m) => m.HostFormPage),
      },
      {
        path: 'hosts/:id',
        title: 'hostDetail.host',
        canActivate: [adminGuard],
        loadComponent: () => import('./hosts/host-detail').then((m) => m.HostDetailPage),
      },
      {
        path: 'hosts/:id/edit',
        title: 'hostForm.editTitle',
        canActivate: [adminGuard],
        loadComponent: () => import('./hosts/host-form').then((m) => m.HostFormPage),
      },
      {
        path: 'maintenance',
        title: 'app.maintenance',
        loadComponent: () => import('./maintenance/maintenance').then((m) => m.MaintenancePage),
      },
      {
        path: 'channels',
        title: 'channels.title',
        canActivate: [adminGuard],
        loadComponent: () => import('./channels/channels').then((m) => m.ChannelsPage),
      },
      {
        path: 'channels/new',
        title: 'channels.new',
        canActivate: [adminGuard],
        loadComponent: () => import('./channels/channel-edit').then((m) => m.ChannelEditPage),
      },
      {
        path: 'channels/:id',
        title: 'channels.channel',
        canActivate: [adminGuard],
        loadComponent: () => import('./channels/channel-detail').then((m) => m.ChannelDetailPage),
      },
      {
        path: 'channels/:id/edit',
        title: 'channels.editTitle',
        canActivate: [adminGuard],
        loadComponent: () => import('./channels/channel-edit').then((m) => m.ChannelEditPage),
      },
      {
        path: 'users',
        title: 'app.users',
        canActivate: [adminGuard],
        loadComponent: () => import('./users/users').then((m) => m.UsersPage),
      },
      {
        path: 'audit',
        title: 'audit.title',
        canActivate: [adminGuard],
        loadComponent: () => import('./audit/audit').then((m) => m.AuditPage),
      },
      {
        path: 'account',
        title: 'account.title',
        loadComponent: () => import('./account/account').then((m) => m.AccountPage),
      },
      {
        path: 'keys',
        title: 'keys.title',
        canActivate: [adminGuard],
        loadComponent: () => import('./keys/keys').then((m) => m.KeysPage),
      },
    ],
  },
  { path: '**', redirectTo: 'monitors' },
];
