// Ready-to-copy ways to ping a monitor. Framework-free (tested in test/unit/dashboard-snippets.test.ts).
// USER and PASS are placeholders: the page never holds a real password.

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
      label: 'Ping URL (also /start and /fail)',
      text: `${url}\n${url}/start\n${url}/fail`,
    },
    {
      id: 'curl',
      // The original tool's line. With &data=TEXT it reports a failure, so the success form comes first.
      label: 'curl (the original tool\'s line; add &data=TEXT to report a failure)',
      text: `curl -u USER:PASS -X POST '${host}/api/pings/?service=${c}'`,
    },
    {
      id: 'python',
      label: 'Python (requests)',
      text: `import requests\nrequests.post('${host}/api/pings/?service=${c}', auth=('USER', 'PASS'))`,
    },
    {
      id: 'crontab',
      label: 'crontab line',
      text: `0 * * * * /path/job.sh && curl -fsS -u USER:PASS ${url}`,
    },
  ];
}

function trimOrigin(origin: string): string {
  return origin.replace(/\/+$/, '');
}
