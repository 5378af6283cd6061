// Turns an API error response into something a page can show: one message, and per-field messages.
// Framework-free (no Angular imports) so Node's test runner can load it directly. The server's
// own messages are shown as they come; the ones worded here follow the active language.

import { translate } from '../i18n/translate.ts';

export interface FieldProblem {
  field: string;
  message: string;
}

export interface ApiProblem {
  status: number;
  code: string;
  message: string;
  fields: FieldProblem[];
}

/** Upper-cases the first letter: the API says "is required", a form shows "Is required". */
export function sentence(message: string): string {
  const m = message.trim();
  return m ? m[0].toUpperCase() + m.slice(1) : m;
}

/**
 * `status` and `body` as an HTTP client reports them (Angular's HttpErrorResponse has both).
 * The API's errors are `{"error": {code, message, field?, details?: [{field, message}]}}`.
 */
export function parseApiError(status: number, body: unknown): ApiProblem {
  if (status === 0) {
    return { status, code: 'NETWORK', message: translate('error.network'), fields: [] };
  }
  const err = body && typeof body === 'object' ? (body as { error?: unknown }).error : undefined;
  if (!err || typeof err !== 'object') {
    const text = typeof body === 'string' && body.length < 200 && body.trim() ? body.trim() : '';
    return { status, code: `HTTP_${status}`, message: text || defaultMessage(status), fields: [] };
  }
  const e = err as { code?: unknown; message?: unknown; field?: unknown; details?: unknown };
  const message = typeof e.message === 'string' && e.message ? e.message : defaultMessage(status);
  const fields: FieldProblem[] = [];
  if (Array.isArray(e.details)) {
    for (const d of e.details) {
      if (d && typeof d === 'object' && typeof d.field === 'string') {
        fields.push({
          field: d.field,
          message: typeof d.message === 'string' ? d.message : translate('error.invalid'),
        });
      }
    }
  }
  if (typeof e.field === 'string' && !fields.some((f) => f.field === e.field)) {
    fields.push({ field: e.field, message });
  }
  return { status, code: typeof e.code === 'string' ? e.code : `HTTP_${status}`, message, fields };
}

export function defaultMessage(status: number): string {
  if (status === 401) return translate('error.401');
  if (status === 403) return translate('error.403');
  if (status === 404) return translate('error.404');
  if (status === 409) return translate('error.409');
  if (status === 422 || status === 400) return translate('error.422');
  if (status === 429) return translate('error.429');
  if (status >= 500) return translate('error.500');
  return translate('error.other', { status });
}
