import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { UserError } from '../../auth/users.ts';
import { errorText } from '../../i18n/translated-error.ts';
import { LedgerError } from '../../ledger/officers.ts';
import { errorPage } from '../views/error-page.ts';
import { HttpError, isApiRequest } from './authentication.ts';
import { sharedPlugin } from './shared-plugin.ts';

function statusOf(error: FastifyError): number {
  if (error instanceof HttpError) return error.statusCode;
  if (error instanceof LedgerError || error instanceof UserError) return 400;
  if (error.validation) return 400;
  return error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
}

/** A refused user change in the reader's language where it names a message. */
export const userErrorText = (request: FastifyRequest, error: UserError) => errorText(request.t, error);

/** The one error handler: JSON under /api/, a page elsewhere; internal details only in the log. */
export const errorPlugin = sharedPlugin('errors', async (app) => {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const status = statusOf(error);
    if (status >= 500) request.log.error({ err: error }, 'dashboard request failed');
    const message = status >= 500 ? request.t('dash.error.internal') : errorText(request.t, error);
    if (isApiRequest(request)) return reply.code(status).send({ error: status, message });
    return reply
      .code(status)
      .type('text/html; charset=utf-8')
      .send(errorPage(request, status, message));
  });
  app.setNotFoundHandler((request, reply) => {
    const message = request.t('dash.error.notFound');
    if (isApiRequest(request)) return reply.code(404).send({ error: 404, message });
    return reply
      .code(404)
      .type('text/html; charset=utf-8')
      .send(errorPage(request, 404, message));
  });
});
