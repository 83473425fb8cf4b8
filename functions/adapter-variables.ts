/**
 * The environment variables that switch on an adapter with a large SDK behind it: a function has
 * the adapter only when the stack sets the variable, and the stack sets it only on the functions
 * that use the adapter (for the API, from the route's declaration in functions/http/routes.ts).
 *
 * Each function is bundled with the variables its template never sets defined as `undefined`
 * (lib/pipeline-function.ts), so esbuild drops the adapter's code and SDK from that bundle: a
 * route that reads stock carries no Encryption SDK, KMS or Step Functions client. The code reads
 * each one as `process.env.NAME` (the form esbuild's `define` replaces) where it decides to build
 * the adapter; without it, using the adapter fails as it always did, naming the variable. The
 * source runs unbundled in tests and in the local cloud, with the same outcome from the same environment.
 */
export const ADAPTER_VARIABLES = {
  PERSONAL_DATA_KEY_ARN: 'the personal-data cipher (AWS Encryption SDK and KMS client)',
  STATE_MACHINE_ARN: 'the fulfilment starter (Step Functions client)',
  ORDER_TIMERS_GROUP: 'the order timers (EventBridge Scheduler client)',
  ORDER_INTAKE_QUEUE_URL: 'the storage-first intake queue (SQS client)',
} as const;

export type AdapterVariable = keyof typeof ADAPTER_VARIABLES;

/** The error a function meets when it uses an adapter its environment does not switch on. */
export function adapterNotConfigured(name: AdapterVariable): Error {
  return new Error(`Environment variable ${name} is not set`);
}
