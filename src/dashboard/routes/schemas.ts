import { Type } from '@sinclair/typebox';

// Shared pieces of route schemas. Pages answer HTML (a string) or a 303 to the next page.
export const HtmlPage = Type.String({ description: 'HTML page' });
export const SeeOther = Type.Null({ description: 'redirect to the next page' });
export const formResponses = { 303: SeeOther };

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
export const LanguageQuery = Type.Object({ lang: Type.Optional(Type.String()) });
export const CsrfBody = Type.Object({ _csrf: Type.Optional(Type.String()) });

export const ApiError = Type.Object({ error: Type.Integer(), message: Type.String() });
export const apiErrors = { 400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError };
