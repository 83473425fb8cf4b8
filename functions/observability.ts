import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * Powertools instances shared by every handler in a bundle. Service name,
 * namespace and log level come from POWERTOOLS_* environment variables set by the stack.
 * No tracer: the Lambda runtime writes the traces (docs/decisions/0007-tracing-by-the-runtime.md).
 */
export const logger = new Logger();
export const metrics = new Metrics({ defaultDimensions: { stage: process.env.STAGE ?? 'local' } });
