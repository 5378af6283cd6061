// The addresses a badge is shown under, absolute, ready to paste into a README. Framework-free
// (tested in test/unit/dashboard-badge-links.test.ts).

export interface BadgeLink {
  id: 'svg' | 'json' | 'shields';
  url: string;
}

/** shields.io draws its own badge from our JSON (its "endpoint" format), in any of its styles. */
const SHIELDS_ENDPOINT = 'https://img.shields.io/endpoint?url=';

/**
 * The server answers absolute URLs when PUBLIC_URL is set (its public address, which may not be
 * the one the dashboard is opened at), and paths under its own address otherwise.
 */
export function badgeLinks(origin: string, urls: { svg: string; json: string }): BadgeLink[] {
  const host = origin.replace(/\/+$/, '');
  const absolute = (url: string) => (/^https?:\/\//i.test(url) ? url : host + url);
  const json = absolute(urls.json);
  return [
    { id: 'svg', url: absolute(urls.svg) },
    { id: 'json', url: json },
    { id: 'shields', url: SHIELDS_ENDPOINT + encodeURIComponent(json) },
  ];
}
