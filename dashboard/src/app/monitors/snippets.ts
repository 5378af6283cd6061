// Ready-to-copy ways to ping a monitor. Framework-free (tested in test/unit/dashboard-snippets.test.ts).
// USER and PASS are placeholders: the page never holds a real password.

import { translate } from '../i18n/translate.ts';

export interface Snippet {
  id: 'healthchecks' | 'curl' | 'python' | 'crontab';
  label: string;
  text: string;
}

export function pingUrl(origin: string, code: string): string {
  return `${trimOrigin(origin)}/ping/${encodeURIComponent(code)}`;
}

export function snippets(origin: string, code: string): Snippet[] {
  const host = trimOrigin(origin);
  const c = encodeURIComponent(code);
  const url = `${host}/ping/${c}`;
  return [
    {
      id: 'healthchecks',
      label: translate('snippet.healthchecks'),
      text: `${url}\n${url}/start\n${url}/fail`,
    },
    {
      id: 'curl',
      // The original tool's line. With &data=TEXT it reports a failure, so the success form comes first.
      label: translate('snippet.curl'),
      text: `curl -u USER:PASS -X POST '${host}/api/pings/?service=${c}'`,
    },
    {
      id: 'python',
      label: translate('snippet.python'),
      text: `import requests\nrequests.post('${host}/api/pings/?service=${c}', auth=('USER', 'PASS'))`,
    },
    {
      id: 'crontab',
      label: translate('snippet.crontab'),
      text: `0 * * * * /path/job.sh && curl -fsS -u USER:PASS ${url}`,
    },
  ];
}

function trimOrigin(origin: string): string {
  return origin.replace(/\/+$/, '');
}
