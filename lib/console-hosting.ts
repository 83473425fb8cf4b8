import { join } from 'node:path';
import { Aws, type CfnElement, DefaultStackSynthesizer, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { acknowledgeNagFinding } from './nag.ts';
import { REPO_ROOT } from './pipeline-function.ts';

/** Properties of a {@link ConsoleHosting}. */
export interface ConsoleHostingProps {
  /** Base URL of the HTTP API the page calls, written to the page's `config.json`. */
  readonly apiUrl: string;
  /**
   * Days CloudFront and S3 access logs are kept.
   * @default 90
   */
  readonly accessLogDays?: number;
}

/** The console's static files, as in the repository (`local/console-files.ts` serves the same folder locally). */
export const CONSOLE_DIRECTORY = join(REPO_ROOT, 'console');

/**
 * The operations console on AWS: its static files in a private bucket, served only through a
 * CloudFront distribution with origin access control (the bucket has no public access and no
 * website endpoint), HTTPS only, with security headers. The page still talks only to the public
 * HTTP API with an operator's token; `config.json` beside it names the API, so opening
 * `https://<domain>/#token=…` is enough. The stack adds {@link origin} to the API's CORS origins.
 */
export class ConsoleHosting extends Construct {
  public readonly distribution: Distribution;
  public readonly bucket: Bucket;
  /** `https://<distribution domain>`, the origin the page is served from. */
  public readonly origin: string;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps) {
    super(scope, id);
    const accessLogs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront's standard logs are delivered with an object ACL, so this bucket must allow ACLs.
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(props.accessLogDays ?? 90) }],
      // CloudFormation cannot delete a bucket that holds objects, and access logs are records to keep: the bucket
      // outlives the stack and empties itself through the lifecycle rule.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Only files from the repository, replaced on every deploy: nothing here is data to keep.
    this.bucket = new Bucket(this, 'Files', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'files/',
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          // The page's own module, stylesheet and inline SVG; fetches only to itself and the API.
          contentSecurityPolicy: [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            // API Gateway hosts in this region: naming the API itself would make the API (whose CORS names this
            // distribution) and the distribution depend on each other. The token still decides what answers.
            `connect-src 'self' https://*.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`,
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'none'",
          ].join('; '),
          override: true,
        },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        // The token travels in the fragment, which browsers never send; no referrer leaves the page either.
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Order pipeline operations console',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: headers,
      },
      enableLogging: true,
      logBucket: accessLogs,
      logFilePrefix: 'distribution/',
    });
    acknowledgeNagFinding(
      this.distribution,
      'AwsSolutions-CFR1',
      'Operators work from anywhere and every call needs an operator token; a country allow-list would only be guessed here.',
    );
    acknowledgeNagFinding(
      this.distribution,
      'AwsSolutions-CFR2',
      'Static files only, no origin compute: a WAF web ACL (about $5/month plus per request) protects nothing the token does not.',
    );
    acknowledgeNagFinding(
      this.distribution,
      'AwsSolutions-CFR4',
      'The default *.cloudfront.net certificate allows TLS 1.0 for old clients; a custom domain with its ACM certificate (TLS 1.2) is the way out, and has no default here.',
    );
    this.origin = `https://${this.distribution.distributionDomainName}`;

    const deployment = new BucketDeployment(this, 'Deploy', {
      sources: [Source.asset(CONSOLE_DIRECTORY), Source.jsonData('config.json', { api: props.apiUrl })],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      // Empties the bucket when the stack is deleted, so that the bucket can go with it.
      retainOnDelete: false,
    });
    // The deployment's function is a CDK singleton at the stack's root: acknowledged at its own constructs.
    const role = deployment.handlerRole;
    const handler = role.node.scope as Construct;
    acknowledgeNagFinding(
      handler,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'CDK BucketDeployment handler: AWSLambdaBasicExecutionRole only lets it write its own logs.',
    );
    const stack = Stack.of(this);
    const wildcards = [
      ...['Abort*', 'DeleteObject*', 'GetBucket*', 'GetObject*', 'List*'].map((action) => `Action::s3:${action}`),
      // cloudfront:CreateInvalidation has no resource-level permissions.
      'Resource::*',
      `Resource::<${stack.getLogicalId(this.bucket.node.defaultChild as CfnElement)}.Arn>/*`,
      `Resource::arn:<AWS::Partition>:s3:::cdk-${DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-<AWS::AccountId>-<AWS::Region>/*`,
    ];
    for (const wildcard of wildcards) {
      acknowledgeNagFinding(
        role,
        `AwsSolutions-IAM5[${wildcard}]`,
        'CDK BucketDeployment handler: reads the console asset from the bootstrap bucket, replaces the objects of the console bucket only, and invalidates the distribution.',
      );
    }
    acknowledgeNagFinding(
      handler,
      'AwsSolutions-L1',
      'CDK BucketDeployment handler: its runtime is chosen by aws-cdk-lib and moves with its upgrades, not set here.',
    );
  }
}
