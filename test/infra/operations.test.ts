/**
 * What an operator gets from the stack: one dashboard with the business and technical widgets, and
 * alarms on what matters, all notifying the alarm topic, with e-mail subscriptions from context.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderPipelineStack } from '../../lib/order-pipeline-stack.ts';
import { ORDER_METRICS, PUBLISHER_METRICS } from '../../functions/publisher/metrics.ts';
import { type CfnResource, testContext } from './support.ts';

const EMAILS = ['oncall@example.com', 'orders-team@example.com'];
let resources: Record<string, CfnResource>;
/** The dashboard body as JSON, with `Ref`/`Fn::GetAtt` tokens written as `REF(id)` and `GETATT(id.attribute)`. */
let dashboard: { widgets: Array<{ type: string; properties: Record<string, any> }> };
/** Every metric line of every graph: namespace, name, then dimension name/value pairs and options. */
let metricLines: unknown[][];
const outdirs: string[] = [];

function synth(context: Record<string, unknown> = {}) {
  const outdir = mkdtempSync(join(tmpdir(), 'order-pipeline-operations-'));
  outdirs.push(outdir);
  return new OrderPipelineStack(new App({ outdir, context: testContext(context) }), 'OrderPipeline-test', { stage: 'test' });
}

beforeAll(() => {
  resources = Template.fromStack(synth({ 'orderPipeline:alarmEmails': EMAILS.join(',') })).toJSON().Resources;
  const dashboards = Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Dashboard');
  expect(dashboards).toHaveLength(1);
  expect(dashboards[0]!.Properties.DashboardName).toBe('order-pipeline-test');
  const parts = dashboards[0]!.Properties.DashboardBody['Fn::Join'][1] as Array<string | Record<string, any>>;
  const text = parts
    .map((part) => (typeof part === 'string' ? part : part.Ref ? `REF(${part.Ref})` : `GETATT(${part['Fn::GetAtt'].join('.')})`))
    .join('');
  dashboard = JSON.parse(text);
  metricLines = dashboard.widgets.flatMap((widget) => (widget.properties.metrics ?? []) as unknown[][]);
}, 120_000);

afterAll(() => {
  for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
});

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const alarms = (): Array<Record<string, any> & { id: string }> => ofType('AWS::CloudWatch::Alarm').map(([id, a]) => ({ id, ...a.Properties }));
const functionIds = () => ofType('AWS::Lambda::Function').filter(([, r]) => r.Metadata?.['order-pipeline:entry']).map(([id]) => id);
/** Metric names an alarm reads, directly or through metric math. */
const metricNamesOf = (alarm: Record<string, any>): string[] =>
  alarm.MetricName ? [alarm.MetricName] : (alarm.Metrics ?? []).flatMap((m: any) => m.MetricStat?.Metric?.MetricName ?? []);

describe('dashboard', () => {
  const graphed = (name: string) => metricLines.filter((line) => line[1] === name);
  const optionsOf = (line: unknown[]) => line.at(-1) as { stat?: string; expression?: string };

  it('shows every business metric the publisher emits, latency as p50 and p95, rejections by reason', () => {
    for (const name of [...Object.values(ORDER_METRICS), ...Object.values(PUBLISHER_METRICS)]) {
      const lines = graphed(name);
      expect(lines.length, name).toBeGreaterThan(0);
      for (const line of lines) expect(line.slice(0, 6), name).toEqual(['OrderPipeline', name, 'service', 'order-events', 'stage', 'test']);
    }
    expect(graphed(ORDER_METRICS.placedToShipmentRequested).map((line) => optionsOf(line).stat)).toEqual(['p50', 'p95']);
    const searches = metricLines.map((line) => optionsOf(line).expression).filter((e) => e?.startsWith('SEARCH('));
    expect(searches).toContainEqual(expect.stringContaining(`MetricName="${ORDER_METRICS.rejected}"`));
    expect(graphed('MaxOverdueSeconds')).toHaveLength(1);
  });

  it('shows the stream, the API, the workflow, the table, each function and each dead-letter queue', () => {
    for (const name of [
      'IteratorAge',
      '4xx',
      '5xx',
      'Latency',
      'ExecutionsFailed',
      'ExecutionsTimedOut',
      'ConsumedWriteCapacityUnits',
      'ApproximateNumberOfMessagesVisible',
      'Throttles',
      'Duration',
    ]) {
      expect(graphed(name).length, name).toBeGreaterThan(0);
    }
    for (const id of functionIds()) {
      for (const name of ['Errors', 'Throttles', 'Duration']) {
        expect(metricLines, `${id} ${name}`).toContainEqual(expect.arrayContaining(['AWS/Lambda', name, 'FunctionName', `REF(${id})`]));
      }
    }
  });

  it('starts with the state of every alarm', () => {
    const [first] = dashboard.widgets;
    expect(first?.type).toBe('alarm');
    expect([...first!.properties.alarms].sort()).toEqual(alarms().map(({ id }) => `GETATT(${id}.Arn)`).sort());
  });
});

describe('alarms', () => {
  it('watch errors and throttles of every function, each in one alarm on the busiest of at most ten (the limit of an alarm\'s metric math)', () => {
    const watching = (metric: string, id: string) =>
      alarms().filter((a) =>
        (a.Metrics ?? []).some(
          (m: any) => m.MetricStat?.Metric?.Namespace === 'AWS/Lambda' && m.MetricStat.Metric.MetricName === metric && JSON.stringify(m.MetricStat.Metric.Dimensions).includes(`"Ref":"${id}"`),
        ),
      );
    for (const id of functionIds()) {
      for (const metric of ['Errors', 'Throttles']) {
        const matching = watching(metric, id);
        expect(matching, `${id} ${metric}`).toHaveLength(1);
        expect(matching[0]).toMatchObject({ EvaluationPeriods: 3, DatapointsToAlarm: 2, Threshold: metric === 'Errors' ? 5 : 1 });
        const [expression] = matching[0]!.Metrics.filter((m: any) => m.Expression);
        expect(expression.Expression).toMatch(/^MAX\(\[m\d(,m\d)*\]\)$/);
        expect(matching[0]!.Metrics.filter((m: any) => m.MetricStat)).toHaveLength(expression.Expression.split(',').length);
        expect(matching[0]!.Metrics.filter((m: any) => m.MetricStat).length).toBeLessThanOrEqual(10);
      }
    }
  });

  it('keep the stack within CloudFormation\'s 500 resources with room for partners', () => {
    expect(Object.keys(resources).length).toBeLessThan(420);
  });

  it('watch the API 5xx share, the stream, refused and held-back events, latency, rejections and table throttles', () => {
    const watched = alarms().flatMap(metricNamesOf);
    for (const name of [
      '5xx',
      'Count',
      'IteratorAge',
      PUBLISHER_METRICS.failed,
      PUBLISHER_METRICS.breakingContract,
      ORDER_METRICS.placedToShipmentRequested,
      ORDER_METRICS.rejected,
      ORDER_METRICS.placed,
      'ReadThrottleEvents',
      'WriteThrottleEvents',
    ]) {
      expect(watched, name).toContain(name);
    }
    const latency = alarms().find((a) => metricNamesOf(a).includes(ORDER_METRICS.placedToShipmentRequested));
    expect(latency).toMatchObject({ ExtendedStatistic: 'p95', Threshold: 30_000, EvaluationPeriods: 5 });
  });

  it('read the publisher metrics with the dimensions the publisher writes', () => {
    const publisher = ofType('AWS::Lambda::Function').find(
      ([, r]) => r.Metadata?.['order-pipeline:entry'] === 'functions/publisher/publish-order-events.ts',
    )![1];
    const service = publisher.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME;
    const heldBack = alarms().find((a) => a.MetricName === PUBLISHER_METRICS.breakingContract)!;
    expect(heldBack.Namespace).toBe(publisher.Properties.Environment.Variables.POWERTOOLS_METRICS_NAMESPACE);
    expect(heldBack.Dimensions).toEqual(
      expect.arrayContaining([
        { Name: 'service', Value: service },
        { Name: 'stage', Value: 'test' },
      ]),
    );
  });

  it('all notify the one alarm topic, which mails the addresses from context', () => {
    const [[topicId]] = ofType('AWS::SNS::Topic') as [[string, CfnResource]];
    for (const alarm of alarms()) expect(alarm.AlarmActions, alarm.id).toEqual([{ Ref: topicId }]);
    const subscriptions = ofType('AWS::SNS::Subscription').map(([, s]) => s.Properties);
    expect(subscriptions.map((s) => s.Endpoint).sort()).toEqual(EMAILS);
    for (const subscription of subscriptions) expect(subscription).toMatchObject({ Protocol: 'email', TopicArn: { Ref: topicId } });
  });

  it('refuses a malformed alarm e-mail at synth', () => {
    expect(() => synth({ 'orderPipeline:alarmEmails': 'oncall@example.com,not-an-address' })).toThrow(/not-an-address/);
  });
});

describe('the console on another origin', () => {
  const corsOf = (context: Record<string, unknown>) =>
    Object.values(Template.fromStack(synth(context)).toJSON().Resources as Record<string, CfnResource>).find((r) => r.Type === 'AWS::ApiGatewayV2::Api')!
      .Properties.CorsConfiguration;

  it('is refused by the API unless its origin is configured', () => {
    const [api] = ofType('AWS::ApiGatewayV2::Api');
    expect(api![1].Properties.CorsConfiguration).toBeUndefined();
  });

  it('may call the API from the origins in context, with tokens in a header and no credentials', () => {
    const cors = corsOf({ 'orderPipeline:consoleOrigins': 'https://ops.example.com,http://localhost:8080' });
    expect(cors).toMatchObject({
      AllowOrigins: ['https://ops.example.com', 'http://localhost:8080'],
      AllowHeaders: expect.arrayContaining(['authorization', 'content-type', 'if-match']),
      ExposeHeaders: ['etag', 'location'],
    });
    expect(cors.AllowCredentials).toBeUndefined();
    expect(cors.AllowMethods).toEqual(expect.arrayContaining(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']));
  });

  // API Gateway takes an origin as scheme://host[:port]; a path or a wildcard is refused at synth.
  it('refuses an origin that is not one at synth', () => {
    expect(() => synth({ 'orderPipeline:consoleOrigins': 'https://ops.example.com/console' })).toThrow(/ops\.example\.com\/console/);
    expect(() => synth({ 'orderPipeline:consoleOrigins': '*' })).toThrow(/consoleOrigins/);
  });
});
