/**
 * A Secrets Manager secret's value through the AWS Parameters and Secrets Lambda Extension (a
 * layer the stack adds to the functions that read secrets), which calls Secrets Manager with the
 * function's role and keeps its own cache, so no function bundles a Secrets Manager client.
 */
import { TransientError } from '../domain/errors.ts';

export async function secretFromExtension(secretId: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const port = env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ?? '2773';
  const response = await fetch(`http://localhost:${port}/secretsmanager/get?secretId=${encodeURIComponent(secretId)}`, {
    headers: { 'X-Aws-Parameters-Secrets-Token': env.AWS_SESSION_TOKEN ?? '' },
  });
  if (!response.ok) throw new TransientError(`Reading secret ${secretId} failed with HTTP ${response.status}`);
  const { SecretString } = (await response.json()) as { SecretString?: string };
  if (SecretString === undefined) throw new Error(`Secret ${secretId} has no string value`);
  return SecretString;
}
