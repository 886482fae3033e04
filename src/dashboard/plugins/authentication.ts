import type { FastifyReply, FastifyRequest } from 'fastify';
import { userForApiToken } from '../../auth/api-tokens.ts';
import type { Role } from '../../auth/roles.ts';
import { findSession } from '../../auth/sessions.ts';
import type { User } from '../../auth/users.ts';
import { appendAudit } from '../../custody/audit-log.ts';
import { access, allows, type Permission } from '../access.ts';
import { sharedPlugin } from './shared-plugin.ts';

declare module 'fastify' {
  interface FastifyRequest {
    user: User | null;
    /** Set for cookie sessions; API-token requests carry no ambient authority and need none. */
    csrfToken: string | null;
  }
  interface FastifyInstance {
    routeTable: RouteAccess[];
  }
  interface FastifyContextConfig {
    /** Who may call the route (see access.ts); a route without one must say `public: true`. */
    permission?: Permission;
    public?: boolean;
  }
}

export interface RouteAccess {
  method: string;
  url: string;
  roles: readonly Role[] | 'public';
}

export const sessionCookie = 'station_session';
const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
export const isApiRequest = (request: FastifyRequest) => request.url.startsWith('/api/');

function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : null;
}

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Who is asking (session cookie, or an API token for /api/), whether their role may use the route,
 * and, for forms, whether the CSRF token matches the session's. Runs before validation so a refused
 * role learns nothing from validation errors.
 */
export const authenticationPlugin = sharedPlugin('authentication', async (app) => {
  app.decorateRequest('user', null);
  app.decorateRequest('csrfToken', null);
  app.decorate('routeTable', [] as RouteAccess[]);

  app.addHook('onRoute', (route) => {
    if (route.method === 'HEAD' || (Array.isArray(route.method) && route.method.includes('HEAD'))) return;
    const config = route.config as { permission?: Permission; public?: boolean } | undefined;
    if (!config?.permission && !config?.public)
      throw new Error(`route ${route.method} ${route.url} declares neither a permission nor public: true`);
    app.routeTable.push({
      method: String(route.method),
      url: route.url,
      roles: config.permission ? access[config.permission] : 'public',
    });
  });

  app.addHook('onRequest', async (request) => {
    const now = app.station.clock.now();
    const token = bearerToken(request);
    if (token && isApiRequest(request)) {
      request.user = userForApiToken(app.station.db, token, now);
      return;
    }
    const cookie = request.cookies[sessionCookie];
    const session = cookie ? findSession(app.station.db, cookie, now) : null;
    request.user = session?.user ?? null;
    request.csrfToken = session?.csrfToken ?? null;
  });

  app.addHook('preValidation', async (request, reply) => {
    const config = request.routeOptions.config;
    if (config.public || request.is404) return;
    if (!request.user) return refuseAnonymous(request, reply);
    if (!config.permission || !allows(config.permission, request.user.role)) {
      appendAudit(
        app.station.db,
        {
          actor: request.user.name,
          action: 'access-refused',
          subjectType: 'route',
          subjectId: `${request.method} ${request.routeOptions.url}`,
        },
        app.station.clock.now(),
      );
      throw new HttpError(403, request.t('dash.error.forbidden'));
    }
    if (unsafeMethods.has(request.method) && request.csrfToken !== null) {
      const sent =
        (request.body as Record<string, unknown> | undefined)?._csrf ?? request.headers['x-csrf-token'];
      if (sent !== request.csrfToken) throw new HttpError(403, request.t('dash.error.csrf'));
    }
  });
});

async function refuseAnonymous(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (isApiRequest(request)) throw new HttpError(401, request.t('dash.error.loginRequired'));
  const next = request.method === 'GET' ? `?next=${encodeURIComponent(request.url)}` : '';
  return reply.redirect(`/login${next}`, 303);
}
