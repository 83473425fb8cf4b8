import { httpHandler, json } from '../http/http-handler.ts';
import { openApiDocument } from '../http/openapi.ts';

/** GET /openapi.json: the API's OpenAPI 3.1 description; public, it holds no data. */
export const handler = httpHandler(async () => json(200, openApiDocument(), { 'Cache-Control': 'public, max-age=300' }));
