/**
 * Conditional requests (RFC 9110 §13.1.1): the versions an `If-Match` header names. Entity tags
 * here are versions, `"3"`; a weak tag (`W/"3"`) or a bare number names the same version, and
 * a tag that is not a version matches nothing.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { VersionCondition } from '../use-cases/routing-policy.ts';
import { header } from './request.ts';

export function ifMatch(event: APIGatewayProxyEventV2): VersionCondition | undefined {
  const value = header(event, 'if-match')?.trim();
  if (value === undefined) return undefined;
  if (value === '*') return 'any';
  return value
    .split(',')
    .map((tag) => /^(?:W\/)?"?(\d{1,15})"?$/.exec(tag.trim())?.[1])
    .filter((version): version is string => version !== undefined)
    .map(Number);
}

/** The ETag of a version. */
export const etagOf = (version: number): string => `"${version}"`;
