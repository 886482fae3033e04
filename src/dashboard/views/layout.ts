import type { FastifyRequest } from 'fastify';
import type { MessageKey } from '../../i18n/catalogue.ts';
import { allows, type Permission } from '../access.ts';
import { type Html, html, trusted } from '../html.ts';
import { personLabel } from './person.ts';

export interface NavigationItem {
  href: string;
  label: MessageKey;
  permission: Permission;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The header's links; the district view (`station district serve`) has its own. */
    navigation: NavigationItem[];
  }
}

export const stationNavigation: NavigationItem[] = [
  { href: '/docks', label: 'dash.nav.docks', permission: 'docks' },
  { href: '/ledger', label: 'dash.nav.ledger', permission: 'ledger' },
  { href: '/unassigned', label: 'dash.nav.unassigned', permission: 'assignOfficer' },
  { href: '/devices', label: 'dash.nav.devices', permission: 'devices' },
  { href: '/alerts', label: 'dash.nav.alerts', permission: 'alerts' },
  { href: '/cases', label: 'dash.nav.cases', permission: 'cases' },
  { href: '/interruptions', label: 'dash.nav.interruptions', permission: 'interruptions' },
  { href: '/retention', label: 'dash.nav.retention', permission: 'retention' },
  { href: '/statistics', label: 'dash.nav.statistics', permission: 'statistics' },
  { href: '/access', label: 'dash.nav.access', permission: 'accessRequests' },
  { href: '/integrity', label: 'dash.nav.integrity', permission: 'integrity' },
  { href: '/officers', label: 'dash.nav.officers', permission: 'officers' },
  { href: '/users', label: 'dash.nav.users', permission: 'users' },
];

// Plain CSS in the page: one request, no build, fast on an old office PC.
const style = trusted(`
body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC",sans-serif;margin:0;color:#1d2733;background:#f4f6f8}
header{background:#1f3b5a;color:#fff;padding:.5rem 1rem;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
header a{color:#fff;text-decoration:none;padding:.25rem .5rem;border-radius:3px}
header a.current{background:#3a6491}
header .who{margin-left:auto;display:flex;gap:.5rem;align-items:center}
main{padding:1rem;max-width:1400px}
table{border-collapse:collapse;background:#fff;width:100%}
th,td{border:1px solid #d5dbe1;padding:.3rem .5rem;text-align:left;font-size:.9rem;vertical-align:top}
th{background:#e8edf2}
.bad{color:#b00020;font-weight:bold}.good{color:#11702f;font-weight:bold}.muted{color:#667}
.card{background:#fff;border:1px solid #d5dbe1;border-radius:4px;padding:.75rem;margin-bottom:1rem}
progress{width:100%;height:1.2rem}
.safe{font-size:1.3rem;padding:.4rem;border-radius:3px}
.safe.yes{background:#d8f3df;color:#11702f}.safe.no{background:#fde2e1;color:#b00020}
form.inline{display:inline}
.filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;margin-bottom:.75rem}
.filters label{display:flex;flex-direction:column;font-size:.85rem}
.message{padding:.5rem;background:#fff7d6;border:1px solid #e5c100;margin-bottom:1rem}
.findings{list-style:none;padding:0;margin:.5rem 0}.finding{padding:.35rem .5rem;margin-bottom:.25rem;border-radius:3px}
.finding.warn{background:#fff7d6;border-left:4px solid #e5a100;font-weight:bold}.finding .act{margin-left:.5rem}
.files .playback{margin-left:.25rem}
code{font-size:.8rem;word-break:break-all}
.field-error{display:block;font-size:.85rem;max-width:28rem}
[aria-invalid=true]{outline:2px solid #b00020}
`);

export function csrfField(request: FastifyRequest): Html {
  return html`<input type="hidden" name="_csrf" value="${request.csrfToken ?? ''}">`;
}

export function page(
  request: FastifyRequest,
  options: { title: string; current?: string; body: Html; scripts?: string[] },
): string {
  const { t, user } = request;
  // The station's own name (config station.name) says which station this is; the schema requires one.
  const stationName = request.server.station.config.station.name;
  const other = request.language === 'zh-CN' ? 'en' : 'zh-CN';
  const back = encodeURIComponent(request.url);
  const links = user
    ? (request.server.hasDecorator('navigation') ? request.server.navigation : stationNavigation)
        .filter((item) => allows(item.permission, user.role))
        .map(
          (item) =>
            html`<a href="${item.href}" class="${item.href === options.current ? 'current' : ''}">${t(item.label)}</a>`,
        )
    : [];
  return html`<!doctype html>
<html lang="${request.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · ${stationName}</title>
<style>${style}</style>
</head>
<body>
<header>
<strong id="station-name">${stationName}</strong>
<nav>${links}</nav>
<span class="who">
<a href="/language?to=${other}&amp;back=${back}" id="switch-language">${t('dash.switchLanguage')}</a>
${
  user
    ? html`<span id="who">${personLabel(user)} (${t(`dash.role.${user.role}` as MessageKey)})</span>
<a href="/account/password" id="change-password">${t('dash.password.title')}</a>
<form class="inline" method="post" action="/logout">${csrfField(request)}<button type="submit">${t('dash.logout')}</button></form>`
    : ''
}
</span>
</header>
<main>
<h1>${options.title}</h1>
${options.body}
</main>
${(options.scripts ?? []).map((src) => html`<script src="${src}" defer></script>`)}
</body>
</html>`.text;
}
