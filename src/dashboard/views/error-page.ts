import type { FastifyRequest } from 'fastify';
import { html } from '../html.ts';
import { page } from './layout.ts';

export function errorPage(request: FastifyRequest, status: number, message: string): string {
  const body = html`<p class="bad" id="error-message">${message}</p><p><a href="/">${request.t('dash.backHome')}</a></p>`;
  return page(request, { title: String(status), body });
}
