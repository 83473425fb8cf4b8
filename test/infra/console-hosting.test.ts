/**
 * The console hosted by the stack (context `orderPipeline:hostConsole`): a private bucket behind CloudFront with
 * origin access control, HTTPS only, security headers, the API allowing the distribution's origin, and cdk-nag
 * clean with a reason for each acknowledgement. Off by default.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderPipelineApp } from '../../lib/order-pipeline-app.ts';
import { type CfnResource, testContext } from './support.ts';

const STACK = 'OrderPipeline-dev';
const outdirs: string[] = [];

function synth(context: Record<string, unknown>) {
  const outdir = mkdtempSync(join(tmpdir(), 'order-pipeline-console-'));
  outdirs.push(outdir);
  let error: unknown;
  try {
    createOrderPipelineApp({ outdir, context: testContext({ 'orderPipeline:stage': 'dev', ...context }) }).app.synth();
  } catch (caught) {
    error = caught;
  }
  const template = JSON.parse(readFileSync(join(outdir, `${STACK}.template.json`), 'utf8')) as {
    Resources: Record<string, CfnResource>;
    Outputs: Record<string, { Value: unknown }>;
  };
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: Array<{
      pluginName: string;
      violations: Array<{ ruleName: string; violatingConstructs: Array<{ constructPath: string }> }>;
      suppressedViolations?: Array<{ ruleName: string; reason: string; acknowledgedAt: string }>;
    }>;
  };
  return { error, template, report };
}

const ofType = (resources: Record<string, CfnResource>, type: string) =>
  Object.entries(resources).filter(([, resource]) => resource.Type === type);

let hosted: ReturnType<typeof synth>;
let plain: ReturnType<typeof synth>;

beforeAll(() => {
  hosted = synth({ 'orderPipeline:hostConsole': true });
  plain = synth({});
}, 180_000);

afterAll(() => {
  for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
});

describe('the console hosted by the stack', () => {
  it('is not there unless asked for', () => {
    expect(plain.error).toBeUndefined();
    expect(ofType(plain.template.Resources, 'AWS::CloudFront::Distribution')).toEqual([]);
    expect(ofType(plain.template.Resources, 'AWS::S3::Bucket')).toEqual([]);
    expect(plain.template.Outputs.ConsoleUrl).toBeUndefined();
  });

  it('refuses a context value that is not a boolean', () => {
    expect(() => createOrderPipelineApp({ context: testContext({ 'orderPipeline:hostConsole': 'yes' }) })).toThrow(/hostConsole/);
  });

  it('synthesizes with no open cdk-nag finding, each acknowledgement with its reason', () => {
    expect(hosted.error).toBeUndefined();
    const open = hosted.report.pluginReports.flatMap((r) =>
      r.violations.flatMap((v) => v.violatingConstructs.map((c) => `${r.pluginName} ${v.ruleName} @ ${c.constructPath}`)),
    );
    expect(open).toEqual([]);
    const nag = hosted.report.pluginReports.find((r) => r.pluginName === 'AwsSolutions')!;
    const consoleFindings = (nag.suppressedViolations ?? [])
      .filter((f) => f.acknowledgedAt.startsWith(`${STACK}/Console/`) || f.acknowledgedAt.includes('CDKBucketDeployment'))
      .map((f) => {
        expect(f.reason.length, f.ruleName).toBeGreaterThan(60);
        return `${f.ruleName} @ ${f.acknowledgedAt.replace(`${STACK}/`, '').replace(/CDKBucketDeployment[0-9A-F]+/, 'CDKBucketDeployment')}`.replace(
          /ConsoleFiles[0-9A-F]{8}/,
          'ConsoleFiles',
        );
      })
      .sort();
    const deployRole = 'Custom::CDKBucketDeployment/ServiceRole';
    expect(consoleFindings).toEqual(
      [
        'AwsSolutions-CFR1 @ Console/Distribution',
        'AwsSolutions-CFR2 @ Console/Distribution',
        'AwsSolutions-CFR4 @ Console/Distribution',
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole] @ Custom::CDKBucketDeployment',
        ...['Abort*', 'DeleteObject*', 'GetBucket*', 'GetObject*', 'List*'].map((a) => `AwsSolutions-IAM5[Action::s3:${a}] @ ${deployRole}`),
        `AwsSolutions-IAM5[Resource::*] @ ${deployRole}`,
        `AwsSolutions-IAM5[Resource::<ConsoleFiles.Arn>/*] @ ${deployRole}`,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*] @ ${deployRole}`,
        'AwsSolutions-L1 @ Custom::CDKBucketDeployment',
      ].sort(),
    );
  });

  it('serves a private bucket only through CloudFront with origin access control', () => {
    const [[, bucket]] = ofType(hosted.template.Resources, 'AWS::S3::Bucket').filter(([, b]) => !b.Properties.OwnershipControls) as [
      [string, CfnResource],
    ];
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.WebsiteConfiguration).toBeUndefined();
    expect(ofType(hosted.template.Resources, 'AWS::CloudFront::OriginAccessControl')).toHaveLength(1);
    expect(ofType(hosted.template.Resources, 'AWS::CloudFront::CloudFrontOriginAccessIdentity')).toEqual([]);

    const [[distributionId, distribution]] = ofType(hosted.template.Resources, 'AWS::CloudFront::Distribution') as [[string, CfnResource]];
    const config = distribution.Properties.DistributionConfig;
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(config.Origins[0].OriginAccessControlId).toBeDefined();
    expect(config.Logging.Bucket).toBeDefined();

    const statements = ofType(hosted.template.Resources, 'AWS::S3::BucketPolicy').flatMap(
      ([, policy]) => policy.Properties.PolicyDocument.Statement as Array<Record<string, any>>,
    );
    const read = statements.find((s) => s.Principal?.Service === 'cloudfront.amazonaws.com');
    expect(read).toMatchObject({ Effect: 'Allow', Action: 's3:GetObject' });
    expect(JSON.stringify(read!.Condition)).toContain(distributionId);
    // enforceSSL on both buckets
    expect(statements.filter((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false')).toHaveLength(2);
  });

  it('sends security headers that let the page call itself and the API only', () => {
    const [[, policy]] = ofType(hosted.template.Resources, 'AWS::CloudFront::ResponseHeadersPolicy') as [[string, CfnResource]];
    const security = policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp = JSON.stringify(security.ContentSecurityPolicy.ContentSecurityPolicy);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toMatch(/connect-src 'self' https:\/\/.*execute-api/);
    expect(security.FrameOptions.FrameOption).toBe('DENY');
    expect(security.ReferrerPolicy.ReferrerPolicy).toBe('no-referrer');
    expect(security.StrictTransportSecurity.AccessControlMaxAgeSec).toBeGreaterThanOrEqual(31_536_000);
  });

  it('lets the hosted page call the API (CORS) and tells it where the API is', () => {
    const [[distributionId]] = ofType(hosted.template.Resources, 'AWS::CloudFront::Distribution');
    const [[, api]] = ofType(hosted.template.Resources, 'AWS::ApiGatewayV2::Api') as [[string, CfnResource]];
    expect(api.Properties.CorsConfiguration.AllowOrigins).toEqual([
      { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }]] },
    ]);
    const [[, deployment]] = ofType(hosted.template.Resources, 'Custom::CDKBucketDeployment') as [[string, CfnResource]];
    expect(deployment.Properties.DistributionPaths).toEqual(['/*']);
    expect(deployment.Properties.RetainOnDelete).toBe(false);
    // config.json's { "api": <stage URL> }: the URL is a deploy-time value, substituted through a marker.
    expect(JSON.stringify(deployment.Properties.SourceMarkers)).toContain('execute-api');
    expect(JSON.stringify(hosted.template.Outputs.ConsoleUrl.Value)).toContain(distributionId!);
  });
});
