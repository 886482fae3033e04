import { isIP } from 'node:net';
import os from 'node:os';
import type { FastifyRequest } from 'fastify';
import { HttpError } from './authentication.ts';
import { sharedPlugin } from './shared-plugin.ts';

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The host name of a Host header (`[::1]:8080` -> `::1`), lower case; null when malformed. */
function hostName(host: string | undefined): string | null {
  if (!host) return null;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  if (bracketed) return bracketed[1].toLowerCase();
  const plain = /^([^:]+)(?::\d+)?$/.exec(host);
  return plain ? plain[1].toLowerCase().replace(/\.$/, '') : null;
}

/**
 * DNS rebinding: a web page on evil.example points its name at the station's address, and the
 * browser then sends it the station's pages. Such a request carries `Host: evil.example`, so only
 * the names the station is known by are answered: IP addresses, localhost, this PC's own host name,
 * config `http.host` and `http.allowedHosts`. A form sent from another site (an `Origin` that is not
 * the page's own, or `Sec-Fetch-Site: cross-site`) is refused on top of the CSRF token.
 */
export const requestOriginPlugin = sharedPlugin('request-origin', async (app) => {
  const { http } = app.station.config;
  const machine = os.hostname().toLowerCase();
  const names = new Set(
    ['localhost', machine, `${machine}.local`, http.host, ...http.allowedHosts].map((name) =>
      name.toLowerCase(),
    ),
  );
  const knownHost = (name: string) => isIP(name) !== 0 || names.has(name);

  const sameOrigin = (request: FastifyRequest): boolean => {
    const site = request.headers['sec-fetch-site'];
    if (site && site !== 'same-origin' && site !== 'none') return false;
    const origin = request.headers.origin;
    if (origin === undefined) return true;
    try {
      return new URL(origin).host.toLowerCase() === request.headers.host?.toLowerCase();
    } catch {
      return false; // includes `Origin: null` (sandboxed frames, file: pages)
    }
  };

  app.addHook('onRequest', async (request) => {
    const name = hostName(request.headers.host);
    if (!name || !knownHost(name)) {
      request.log.warn(
        { host: request.headers.host, ip: request.ip },
        'refused a request for a foreign host',
      );
      throw new HttpError(421, request.t('dash.error.foreignHost'));
    }
    if (unsafeMethods.has(request.method) && !sameOrigin(request)) {
      request.log.warn({ origin: request.headers.origin, ip: request.ip }, 'refused a cross-site form');
      throw new HttpError(403, request.t('dash.error.crossSite'));
    }
  });
});
