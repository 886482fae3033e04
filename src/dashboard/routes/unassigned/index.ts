import type { FastifyPluginAsync } from 'fastify';
import { type LedgerQuery, LedgerQuerySchema, queryLedger } from '../../data/ledger-query.ts';
import { html } from '../../html.ts';
import { assignForm } from '../../views/assign-form.ts';
import { page } from '../../views/layout.ts';
import { filterQuery } from '../../views/ledger-filters.ts';
import { ledgerTable } from '../../views/ledger-table.ts';
import { HtmlPage } from '../schemas.ts';

/** Recordings whose officer the station could not tell, for the clerk to assign (each assignment logged). */
export const unassignedRoutes: FastifyPluginAsync = async (app) => {
  const { db, config } = app.station;
  app.get<{ Querystring: LedgerQuery }>(
    '/unassigned',
    {
      schema: { querystring: LedgerQuerySchema, response: { 200: HtmlPage } },
      config: { permission: 'assignOfficer' },
    },
    async (request, reply) => {
      const { t } = request;
      const query = { ...request.query, unassigned: true };
      const result = queryLedger(db, query, request.user!);
      const back = `/unassigned?${filterQuery(request.query)}`;
      const body = html`${
        result.rows.length
          ? ledgerTable(request, result.rows, config.station.timezone, (row) =>
              assignForm(request, row, back),
            )
          : html`<p class="muted" id="unassigned-empty">${t('dash.unassigned.none')}</p>`
      }
${result.hasMore ? html`<p><a href="/unassigned?${filterQuery(request.query, { page: result.page + 1 })}">${t('dash.ledger.next')}</a></p>` : ''}`;
      return reply
        .type('text/html; charset=utf-8')
        .send(page(request, { title: t('dash.nav.unassigned'), current: '/unassigned', body }));
    },
  );
};
