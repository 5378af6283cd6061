import { Routes } from '@angular/router';
import { adminGuard, authGuard, editorGuard } from './auth/guards';

export const routes: Routes = [
  { path: 'login', title: 'Sign in · Heartbeats', loadComponent: () => import('./login/login').then((m) => m.LoginPage) },
  {
    path: '',
    canActivateChild: [authGuard],
    children: [
      { path: '', pathMatch: 'full', redirectTo: 'monitors' },
      { path: 'monitors', title: 'Monitors · Heartbeats', loadComponent: () => import('./monitors/monitor-list').then((m) => m.MonitorListPage) },
      {
        path: 'monitors/new',
        title: 'New monitor · Heartbeats',
        canActivate: [editorGuard],
        loadComponent: () => import('./monitors/monitor-form').then((m) => m.MonitorFormPage),
      },
      { path: 'monitors/:id', title: 'Monitor · Heartbeats', loadComponent: () => import('./monitors/monitor-detail').then((m) => m.MonitorDetailPage) },
      {
        path: 'monitors/:id/edit',
        title: 'Edit monitor · Heartbeats',
        canActivate: [editorGuard],
        loadComponent: () => import('./monitors/monitor-form').then((m) => m.MonitorFormPage),
      },
      { path: 'hosts', title: 'Hosts · Heartbeats', canActivate: [adminGuard], loadComponent: () => import('./hosts/host-list').then((m) => m.HostListPage) },
      {
        path: 'hosts/new',
        title: 'New host · Heartbeats',
        canActivate: [adminGuard],
        loadComponent: () => import('./hosts/host-form').then((m) => m.HostFormPage),
      },
      { path: 'hosts/:id', title: 'Host · Heartbeats', canActivate: [adminGuard], loadComponent: () => import('./hosts/host-detail').then((m) => m.HostDetailPage) },
      {
        path: 'hosts/:id/edit',
        title: 'Edit host · Heartbeats',
        canActivate: [adminGuard],
        loadComponent: () => import('./hosts/host-form').then((m) => m.HostFormPage),
      },
      { path: 'maintenance', title: 'Maintenance · Heartbeats', loadComponent: () => import('./maintenance/maintenance').then((m) => m.MaintenancePage) },
      { path: 'users', title: 'Users · Heartbeats', canActivate: [adminGuard], loadComponent: () => import('./users/users').then((m) => m.UsersPage) },
    ],
  },
  { path: '**', redirectTo: 'monitors' },
];
