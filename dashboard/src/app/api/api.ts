import { HttpClient, HttpErrorResponse, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { Observable } from 'rxjs';
import { listParamsOf } from '../monitors/list-query';
import type {
  ApiKey,
  BadgeUrls,
  Channel,
  ChannelDelivery,
  ChannelTestResult,
  ChannelType,
  Flip,
  Host,
  HostInput,
  HostPollResult,
  HostSamples,
  MaintenanceInput,
  MaintenanceWindow,
  Monitor,
  MonitorInput,
  MonitorPage,
  MonitorQuery,
  NewApiKey,
  NewUser,
  NotificationItem,
  Page,
  Ping,
  PreviewResult,
  KeyScope,
  Role,
  Session,
  SecondFactorChallenge,
  Factors,
  TotpEnrolment,
  NewFactor,
  RecoveryCodes,
  PasskeyRequest,
  Settings,
  AuditPage,
  Locale,
  User,
} from './models';
import { parseApiError, type ApiProblem } from './api-error';

const BASE = '/api/v1';

/** The session check's URL (main.ts sends it early, core/early-requests.ts). */
export const SESSION_URL = `${BASE}/session`;

/** `GET /api/v1/monitors` for a page of the list: one URL for one query, however it was built. */
export function monitorListUrl(q: MonitorQuery): string {
  return `${BASE}/monitors?${new HttpParams({ fromObject: Object.fromEntries(listParamsOf(q)) }).toString()}`;
}

/** The API problem for any error an HttpClient call throws. */
export function problemOf(err: unknown): ApiProblem {
  if (err instanceof HttpErrorResponse) return parseApiError(err.status, err.error);
  return { status: -1, code: 'CLIENT', message: err instanceof Error ? err.message : String(err), fields: [] };
}

/** Typed calls to the Heartbeats REST API (same origin, cookie session). */
@Injectable({ providedIn: 'root' })
export class Api {
  private readonly http = inject(HttpClient);

  // Session
  getSession(): Observable<Session> {
    return this.http.get<Session>(SESSION_URL);
  }
  /** The password step: a session, or for a user with a second factor the challenge to answer. */
  login(username: string, password: string): Observable<Session | { secondFactor: SecondFactorChallenge }> {
    return this.http.post<Session | { secondFactor: SecondFactorChallenge }>(`${BASE}/session`, { username, password });
  }
  /** The second step: exactly one of a TOTP code, a recovery code or a passkey's credential. */
  loginSecondFactor(
    body: { username: string; token: string } & (
      { code: string } | { recoveryCode: string } | { passkey: Record<string, unknown> }
    ),
  ): Observable<Session> {
    return this.http.post<Session>(`${BASE}/session/second-factor`, body);
  }

  // The signed-in user's own second factors (changes need the password again)
  factors(): Observable<Factors> {
    return this.http.get<Factors>(`${BASE}/account/factors`);
  }
  startTotp(password: string, name?: string): Observable<TotpEnrolment> {
    return this.http.post<TotpEnrolment>(`${BASE}/account/factors/totp`, { password, ...(name ? { name } : {}) });
  }
  confirmTotp(code: string): Observable<NewFactor> {
    return this.http.post<NewFactor>(`${BASE}/account/factors/totp/confirm`, { code });
  }
  passkeyOptions(password: string): Observable<PasskeyRequest> {
    return this.http.post<PasskeyRequest>(`${BASE}/account/factors/passkey/options`, { password });
  }
  addPasskey(token: string, response: Record<string, unknown>, name?: string): Observable<NewFactor> {
    return this.http.post<NewFactor>(`${BASE}/account/factors/passkey`, { token, response, ...(name ? { name } : {}) });
  }
  removeFactor(id: number, password: string): Observable<void> {
    return this.http.delete<void>(`${BASE}/account/factors/${id}`, { body: { password } });
  }
  newRecoveryCodes(password: string): Observable<RecoveryCodes> {
    return this.http.post<RecoveryCodes>(`${BASE}/account/recovery-codes`, { password });
  }

  // The audit log (admin only): newest first; action may be an area ("monitor") or one action
  audit(q: { limit: number; offset: number; actor?: string; action?: string }): Observable<AuditPage> {
    const params = new HttpParams({
      fromObject: Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined && v !== '')) as Record<
        string,
        string | number
      >,
    });
    return this.http.get<AuditPage>(`${BASE}/audit`, { params });
  }

  // The installation's settings (admin only)
  settings(): Observable<Settings> {
    return this.http.get<Settings>(`${BASE}/settings`);
  }
  updateSettings(body: Partial<Settings>): Observable<Settings> {
    return this.http.patch<Settings>(`${BASE}/settings`, body);
  }
  /** The signed-in user's own dashboard language (null: follow the browser). */
  setLocale(locale: Locale | null): Observable<Session> {
    return this.http.patch<Session>(`${BASE}/session`, { locale });
  }
  /** The signed-in user's own colour scheme ("system": follow the browser). */
  setTheme(theme: Session['user']['theme']): Observable<Session> {
    return this.http.patch<Session>(`${BASE}/session`, { theme });
  }
  logout(): Observable<void> {
    return this.http.delete<void>(`${BASE}/session`);
  }

  // Maintenance windows
  maintenanceWindows(): Observable<Page<MaintenanceWindow>> {
    return this.http.get<Page<MaintenanceWindow>>(`${BASE}/maintenance`);
  }
  createMaintenance(input: MaintenanceInput): Observable<MaintenanceWindow> {
    return this.http.post<MaintenanceWindow>(`${BASE}/maintenance`, input);
  }
  updateMaintenance(id: number, input: MaintenanceInput): Observable<MaintenanceWindow> {
    return this.http.patch<MaintenanceWindow>(`${BASE}/maintenance/${id}`, input);
  }
  deleteMaintenance(id: number): Observable<unknown> {
    return this.http.delete(`${BASE}/maintenance/${id}`);
  }

  // Monitors
  listMonitors(q: MonitorQuery): Observable<MonitorPage> {
    return this.http.get<MonitorPage>(monitorListUrl(q));
  }
  getMonitor(id: number): Observable<Monitor> {
    return this.http.get<Monitor>(`${BASE}/monitors/${id}`);
  }
  createMonitor(input: MonitorInput): Observable<Monitor> {
    return this.http.post<Monitor>(`${BASE}/monitors`, input);
  }
  updateMonitor(id: number, input: MonitorInput): Observable<Monitor> {
    return this.http.patch<Monitor>(`${BASE}/monitors/${id}`, input);
  }
  deleteMonitor(id: number): Observable<unknown> {
    return this.http.delete(`${BASE}/monitors/${id}`);
  }
  pause(id: number): Observable<Monitor> {
    return this.http.post<Monitor>(`${BASE}/monitors/${id}/pause`, {});
  }
  resume(id: number): Observable<Monitor> {
    return this.http.post<Monitor>(`${BASE}/monitors/${id}/resume`, {});
  }
  /** Holds the monitor's alerts for so many seconds from now. */
  snooze(id: number, seconds: number): Observable<Monitor> {
    return this.http.post<Monitor>(`${BASE}/monitors/${id}/snooze`, { seconds });
  }
  /** Ends a snooze now: alerts it held go out if the monitor is still down. */
  endSnooze(id: number): Observable<Monitor> {
    return this.http.delete<Monitor>(`${BASE}/monitors/${id}/snooze`);
  }
  pings(id: number, limit: number, offset = 0): Observable<Page<Ping>> {
    return this.http.get<Page<Ping>>(`${BASE}/monitors/${id}/pings`, { params: { limit, offset } });
  }
  flips(id: number, limit: number, offset = 0): Observable<Page<Flip>> {
    return this.http.get<Page<Flip>>(`${BASE}/monitors/${id}/flips`, { params: { limit, offset } });
  }
  notifications(id: number, limit: number, offset = 0): Observable<Page<NotificationItem>> {
    return this.http.get<Page<NotificationItem>>(`${BASE}/monitors/${id}/notifications`, { params: { limit, offset } });
  }
  preview(params: Record<string, string>): Observable<PreviewResult> {
    return this.http.get<PreviewResult>(`${BASE}/schedule/preview`, { params });
  }

  // Badges: a monitor's or a tag's public badge URLs; POST makes new ones (admin only)
  badge(of: BadgeOf): Observable<BadgeUrls> {
    return this.http.get<BadgeUrls>(badgePath(of));
  }
  rotateBadge(of: BadgeOf): Observable<BadgeUrls> {
    return this.http.post<BadgeUrls>(badgePath(of), {});
  }

  // Channels (admin only)
  channels(): Observable<{ items: Channel[] }> {
    return this.http.get<{ items: Channel[] }>(`${BASE}/channels`);
  }
  channelTypes(): Observable<ChannelType[]> {
    return this.http.get<ChannelType[]>(`${BASE}/channel-types`);
  }
  getChannel(id: number): Observable<Channel> {
    return this.http.get<Channel>(`${BASE}/channels/${id}`);
  }
  createChannel(body: Record<string, unknown>): Observable<Channel> {
    return this.http.post<Channel>(`${BASE}/channels`, body);
  }
  updateChannel(id: number, body: Record<string, unknown>): Observable<Channel> {
    return this.http.patch<Channel>(`${BASE}/channels/${id}`, body);
  }
  deleteChannel(id: number): Observable<unknown> {
    return this.http.delete(`${BASE}/channels/${id}`);
  }
  testChannel(id: number): Observable<ChannelTestResult> {
    return this.http.post<ChannelTestResult>(`${BASE}/channels/${id}/test`, {});
  }
  channelDeliveries(id: number, limit: number, offset = 0): Observable<Page<ChannelDelivery>> {
    return this.http.get<Page<ChannelDelivery>>(`${BASE}/channels/${id}/deliveries`, { params: { limit, offset } });
  }

  // Hosts (admin only)
  hosts(): Observable<Page<Host>> {
    return this.http.get<Page<Host>>(`${BASE}/hosts`);
  }
  getHost(id: number): Observable<Host> {
    return this.http.get<Host>(`${BASE}/hosts/${id}`);
  }
  createHost(input: HostInput): Observable<Host> {
    return this.http.post<Host>(`${BASE}/hosts`, input);
  }
  updateHost(id: number, input: HostInput): Observable<Host> {
    return this.http.patch<Host>(`${BASE}/hosts/${id}`, input);
  }
  deleteHost(id: number): Observable<unknown> {
    return this.http.delete(`${BASE}/hosts/${id}`);
  }
  checkHost(id: number): Observable<HostPollResult> {
    return this.http.post<HostPollResult>(`${BASE}/hosts/${id}/check`, {});
  }
  hostMetrics(id: number, from: string, to: string): Observable<HostSamples> {
    return this.http.get<HostSamples>(`${BASE}/hosts/${id}/metrics`, { params: { from, to } });
  }

  // Users (admin only)
  users(): Observable<{ items: User[] }> {
    return this.http.get<{ items: User[] }>(`${BASE}/users`);
  }
  createUser(body: { username: string; password: string; role: Role }): Observable<NewUser> {
    return this.http.post<NewUser>(`${BASE}/users`, body);
  }
  updateUser(
    username: string,
    body: { role?: Role; password?: string; email?: string | null; weeklyReport?: boolean },
  ): Observable<User> {
    return this.http.patch<User>(`${BASE}/users/${encodeURIComponent(username)}`, body);
  }
  deleteUser(username: string): Observable<unknown> {
    return this.http.delete(`${BASE}/users/${encodeURIComponent(username)}`);
  }

  // API keys (admin only)
  apiKeys(): Observable<Page<ApiKey>> {
    return this.http.get<Page<ApiKey>>(`${BASE}/keys`);
  }
  createApiKey(body: { name: string; scope: KeyScope }): Observable<NewApiKey> {
    return this.http.post<NewApiKey>(`${BASE}/keys`, body);
  }
  revokeApiKey(id: number): Observable<ApiKey> {
    return this.http.delete<ApiKey>(`${BASE}/keys/${id}`);
  }
}

/** Whose badge: one monitor's, or a tag's (its worst monitor). */
export type BadgeOf = { monitorId: number } | { tag: string };

function badgePath(of: BadgeOf): string {
  return 'tag' in of ? `${BASE}/tags/${encodeURIComponent(of.tag)}/badge` : `${BASE}/monitors/${of.monitorId}/badge`;
}
