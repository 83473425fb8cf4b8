import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPartners, parsePartners, PartnersConfigError } from '../../lib/partners-config.ts';
import { REPO_ROOT } from '../infra/support.ts';

const valid = () => ({
  name: 'acme',
  events: { 'detail-type': ['OrderRouted'] },
  target: {
    type: 'https',
    endpoint: 'https://partner.example/orders',
    auth: { type: 'apiKey', headerName: 'x-api-key', secretName: 'order-pipeline/partners/acme' },
  },
});

/** The issues the file raises, one line each. */
function issuesOf(partners: unknown[], options: { allowLoopbackHttp?: boolean } = {}): readonly string[] {
  try {
    parsePartners({ partners }, options);
  } catch (error) {
    expect(error).toBeInstanceOf(PartnersConfigError);
    return (error as PartnersConfigError).issues;
  }
  return [];
}

describe('partners file', () => {
  it('ships an example that validates: a warehouse over HTTPS with a shipping label, an ERP on its account bus', () => {
    const partners = loadPartners(join(REPO_ROOT, 'config/partners.json'));
    expect(partners.map((partner) => [partner.name, partner.target.type, partner.personalData])).toEqual([
      ['acme-warehouse', 'https', ['shipTo.name', 'shipTo.phone', 'shipTo.line1', 'shipTo.postalCode']],
      ['erp', 'eventBus', []],
    ]);
  });

  it('defaults to no personal data, POST, and EventBridge\'s retry policy', () => {
    const [partner] = parsePartners({ partners: [valid()] });
    expect(partner).toMatchObject({
      personalData: [],
      target: { httpMethod: 'POST' },
      retry: { maximumEventAgeSeconds: 86_400, maximumRetryAttempts: 185 },
    });
  });

  it('rejects a pattern EventBridge would reject, naming the partner and field', () => {
    expect(issuesOf([{ ...valid(), events: { detail: { amount: [{ numeric: ['>>', 1] }] } } }])).toEqual([
      expect.stringMatching(/^partners\[0\] \("acme"\)\.events: is not a valid EventBridge event pattern: /),
    ]);
    expect(issuesOf([{ ...valid(), events: { detail: { status: 'ROUTED' } } }])).toEqual([
      expect.stringMatching(/^partners\[0\] \("acme"\)\.events: is not a valid EventBridge event pattern: /),
    ]);
  });

  it('rejects a misspelt event type and a pattern that sets source', () => {
    expect(issuesOf([{ ...valid(), events: { 'detail-type': ['OrderRouted', 'OrderShiped'] } }])).toEqual([
      expect.stringMatching(/^partners\[0\] \("acme"\)\.events\.detail-type\[1\]: "OrderShiped" is not an order event type/),
    ]);
    expect(issuesOf([{ ...valid(), events: { source: ['someone-else'] } }])).toEqual([
      'partners[0] ("acme").events.source: is set by the pipeline (partners only receive order events); remove it',
    ]);
  });

  it('takes amendment event types too: an entitled partner must hear of CustomerDataErased to erase its copy', () => {
    const events = { 'detail-type': ['OrderShippingAddressChanged', 'CustomerDataErased'] };
    expect(issuesOf([{ ...valid(), events, personalData: 'shipping-label' }])).toEqual([]);
  });

  it('rejects a missing target, a missing secret name and an unknown auth type', () => {
    const { target: _target, ...withoutTarget } = valid();
    expect(issuesOf([withoutTarget])).toEqual(['partners[0] ("acme").target: is required']);
    expect(issuesOf([{ ...valid(), target: { ...valid().target, auth: { type: 'apiKey', headerName: 'x-api-key' } } }])).toEqual([
      'partners[0] ("acme").target.auth.secretName: is required',
    ]);
    expect(issuesOf([{ ...valid(), target: { ...valid().target, auth: { type: 'bearer', secretName: 'x' } } }])).toEqual([
      'partners[0] ("acme").target.auth.type: must be "apiKey", "basic" or "oauthClientCredentials"',
    ]);
  });

  it('refuses secret values in the file', () => {
    const auth = { type: 'apiKey', headerName: 'x-api-key', secretName: 'order-pipeline/acme', apiKey: 'k-123' };
    expect(issuesOf([{ ...valid(), target: { ...valid().target, auth } }])).toEqual([
      expect.stringMatching(/^partners\[0\] \("acme"\)\.target\.auth: Unrecognized key: "apiKey"/),
    ]);
  });

  it('rejects an unknown entitlement, and personal data for an account bus', () => {
    expect(issuesOf([{ ...valid(), personalData: ['shipTo.phone', 'shipTo.email'] }])).toEqual([
      expect.stringMatching(/^partners\[0\] \("acme"\)\.personalData\[1\]: unknown field "shipTo.email": use a level \(none, shipping-label\)/),
    ]);
    expect(issuesOf([{ ...valid(), personalData: 'everything' }])).toEqual([
      expect.stringMatching(/^partners\[0\] \("acme"\)\.personalData: unknown level "everything"/),
    ]);
    const bus = { type: 'eventBus', eventBusArn: 'arn:aws:events:us-east-1:111122223333:event-bus/erp' };
    expect(issuesOf([{ ...valid(), target: bus, personalData: ['shipTo.phone'] }])).toEqual([
      expect.stringMatching(/^partners\[0\] \("acme"\)\.personalData: is only delivered to https targets/),
    ]);
  });

  it('accepts plain http only on loopback, and only for the local cloud', () => {
    const local = { ...valid(), target: { ...valid().target, endpoint: 'http://127.0.0.1:8080/orders' } };
    expect(issuesOf([local], { allowLoopbackHttp: true })).toEqual([]);
    expect(issuesOf([local])).toEqual([expect.stringMatching(/^partners\[0\] \("acme"\)\.target\.endpoint: must be https:\/\//)]);
    const remote = { ...valid(), target: { ...valid().target, endpoint: 'http://partner.example/orders' } };
    expect(issuesOf([remote], { allowLoopbackHttp: true })).toHaveLength(1);
  });

  it('rejects a bad bus ARN, an out-of-range retry policy and a duplicate name', () => {
    expect(issuesOf([{ ...valid(), target: { type: 'eventBus', eventBusArn: 'arn:aws:sqs:us-east-1:111122223333:q' } }])).toEqual([
      'partners[0] ("acme").target.eventBusArn: must be an event bus ARN',
    ]);
    expect(issuesOf([{ ...valid(), retry: { maximumEventAgeSeconds: 30, maximumRetryAttempts: 200 } }])).toEqual([
      expect.stringMatching(/^partners\[0\] \("acme"\)\.retry\.maximumEventAgeSeconds: /),
      expect.stringMatching(/^partners\[0\] \("acme"\)\.retry\.maximumRetryAttempts: /),
    ]);
    expect(issuesOf([valid(), valid()])).toEqual(['partners[1] ("acme").name: is already used by another partner']);
  });

  it('names the file and every issue in the error message', () => {
    expect(() => loadPartners(join(REPO_ROOT, 'test/fixtures/orders.ts'))).toThrow(/^Invalid partners file .*orders\.ts:\n  - \(file\): /);
  });
});
