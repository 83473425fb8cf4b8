import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * Powertools instances shared by every handler in a bundle. Service name,
 * namespace and log level come from POWERTOOLS_* environment variables set by the stack.
 */
export const logger = new Logger();
export const metrics = new Metrics({ defaultDimensions: { stage: process.env.STAGE ?? 'local' } });
export const tracer = new Tracer();
