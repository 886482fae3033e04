import { type Language, type MessageKey, translator } from '../../i18n/catalogue.ts';
import { sharedPlugin } from './shared-plugin.ts';

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

declare module 'fastify' {
  interface FastifyRequest {
    language: Language;
    t: Translate;
  }
}

export const languageCookie = 'station_lang';
const isLanguage = (value: unknown): value is Language => value === 'zh-CN' || value === 'en';

/** zh-CN unless the station's config says otherwise; a `?lang=` query or the cookie switches it. */
export const languagePlugin = sharedPlugin('language', async (app) => {
  app.decorateRequest('language', 'zh-CN');
  app.decorateRequest('t', null as never);
  app.addHook('onRequest', async (request) => {
    const asked = (request.query as Record<string, unknown> | undefined)?.lang;
    const saved = request.cookies[languageCookie];
    const fallback = app.station.config.station.language;
    request.language = isLanguage(asked) ? asked : isLanguage(saved) ? saved : fallback;
    request.t = translator(request.language);
  });
});
