/**
 * JSON Schema validation against the OpenAPI document's own schemas (OpenAPI 3.1
 * schemas are JSON Schema 2020-12), so tests can check that real responses are what
 * the document says.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { openApiDocument } from '../../functions/http/openapi.ts';

const DOCUMENT_ID = 'https://order-pipeline.invalid/openapi.json';

type Document = ReturnType<typeof openApiDocument>;

/** An Ajv holding the document, so `#/components/...` references resolve as they do in the document. */
export function documentAjv(document: Document = openApiDocument()): Ajv2020 {
  // Not strict: the document root is not a schema, only its schema objects are.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ ...document, $id: DOCUMENT_ID });
  return ajv;
}

/** The response schema of an operation, e.g. `responseValidator(ajv, 'get', '/orders/{orderId}', 200)`. */
export function responseValidator(ajv: Ajv2020, method: string, path: string, status: number): ValidateFunction {
  const pointer = ['paths', path, method, 'responses', String(status), 'content']
    .map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1'))
    .join('/');
  const content = pointerGet(openApiDocument(), pointer) as Record<string, unknown> | undefined;
  const [mediaType] = Object.keys(content ?? {});
  if (!mediaType) throw new Error(`${method} ${path} documents no ${status} response body`);
  return ajv.compile({ $ref: `${DOCUMENT_ID}#/${pointer}/${mediaType.replaceAll('/', '~1')}/schema` });
}

/** Resolves a JSON Pointer (without the leading `#/`) in `root`. */
export function pointerGet(root: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .filter(Boolean)
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), root);
}
