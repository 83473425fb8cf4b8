/**
 * RFC 9457 problem details. Every error the API answers is one of these, with
 * `Content-Type: application/problem+json`.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export interface FieldError {
  /** JSONPath of the failing field in the request body or query, e.g. `$.lines[0].quantity`. */
  path: string;
  /** The same location as a JSON Pointer (RFC 6901), e.g. `/lines/0/quantity`. */
  pointer: string;
  message: string;
}

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** A problem to answer with; thrown anywhere in a handler and rendered by the error middleware. */
export class HttpProblem extends Error {
  override name = 'HttpProblem';
  readonly problem: ProblemDetails;
  readonly headers: Record<string, string>;

  constructor(problem: ProblemDetails, headers: Record<string, string> = {}) {
    super(problem.detail);
    this.problem = problem;
    this.headers = headers;
  }
}

/** Problem type URIs are relative references (RFC 9457 §3.1.1), documented in docs/problems.md. */
const problemType = (slug: string) => `/problems/${slug}`;

export const problems = {
  validation: (detail: string, errors: FieldError[]) =>
    new HttpProblem({ type: problemType('validation-error'), title: 'Request is not valid', status: 400, detail, errors }),
  invalidCursor: (detail: string) =>
    new HttpProblem({
      type: problemType('invalid-cursor'),
      title: 'Cursor is not valid for this query',
      status: 400,
      detail,
      errors: [{ path: '$.cursor', pointer: '/cursor', message: 'Not a cursor this API returned for this query' }],
    }),
  malformedJson: (detail: string) =>
    new HttpProblem({ type: problemType('malformed-json'), title: 'Body is not valid JSON', status: 400, detail }),
  unsupportedMediaType: (detail: string) =>
    new HttpProblem({ type: problemType('unsupported-media-type'), title: 'Unsupported media type', status: 415, detail }),
  tooLarge: (limit: number) =>
    new HttpProblem({
      type: problemType('body-too-large'),
      title: 'Body is too large',
      status: 413,
      detail: `The request body must not exceed ${limit} bytes`,
    }),
  invalidSignature: (detail: string) =>
    new HttpProblem({ type: problemType('invalid-signature'), title: 'Signature is not valid', status: 401, detail }),
  unknownCarrier: (carrierId: string) =>
    new HttpProblem({
      type: problemType('unknown-carrier'),
      title: 'Unknown carrier',
      status: 404,
      detail: `No callback secret is configured for carrier ${carrierId}`,
    }),
  unknownShipment: (detail: string) =>
    new HttpProblem({ type: problemType('unknown-shipment'), title: 'Unknown shipment', status: 404, detail }),
  /** No token, or one the authorizer refuses. On AWS API Gateway answers these itself (see README). */
  unauthorized: (detail: string) =>
    new HttpProblem({ type: problemType('unauthorized'), title: 'Not authenticated', status: 401, detail }),
  /** Authenticated, but the token does not allow this: a missing scope, no channel claim, another channel. */
  forbidden: (detail: string, slug = 'forbidden') =>
    new HttpProblem({ type: problemType(slug), title: 'Not allowed', status: 403, detail }),
  notFound: (detail: string) => new HttpProblem({ type: problemType('not-found'), title: 'Not found', status: 404, detail }),
  conflict: (slug: string, title: string, detail: string, extensions: Record<string, unknown> = {}) =>
    new HttpProblem({ type: problemType(slug), title, status: 409, detail, ...extensions }),
  /** `If-Match` names a version that is no longer live; `ETag` names the live one. */
  preconditionFailed: (detail: string, liveEtag: string) =>
    new HttpProblem({ type: problemType('precondition-failed'), title: 'Precondition failed', status: 412, detail }, { ETag: liveEtag }),
  /** RFC 6585: the change must be conditional (`If-Match`). */
  preconditionRequired: (detail: string) =>
    new HttpProblem({ type: problemType('precondition-required'), title: 'Precondition required', status: 428, detail }),
  unavailable: (detail: string) =>
    new HttpProblem(
      { type: problemType('temporarily-unavailable'), title: 'Temporarily unavailable', status: 503, detail },
      { 'Retry-After': '1' },
    ),
  internal: () =>
    new HttpProblem({
      type: problemType('internal-error'),
      title: 'Internal error',
      status: 500,
      detail: 'The request could not be completed; it is safe to retry with the same idempotency key',
    }),
};

export function problemResponse(problem: HttpProblem, instance?: string): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: problem.problem.status,
    headers: { 'Content-Type': 'application/problem+json', ...problem.headers },
    body: JSON.stringify({ ...problem.problem, ...(instance ? { instance } : {}) }),
  };
}
