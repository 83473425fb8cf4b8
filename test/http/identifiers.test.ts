/**
 * Identifier schemas in a process that loads nothing else, as a function's bundle that checks only
 * ids does: zod's mini build must still explain what is wrong, in the full build's words.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const IDENTIFIERS = fileURLToPath(new URL('../../functions/http/identifiers.ts', import.meta.url));

function messagesAlone(values: unknown[]): Promise<string[]> {
  const script = `
    const { policyVersionSchema } = await import(${JSON.stringify(IDENTIFIERS)});
    const values = ${JSON.stringify(values)};
    console.log(JSON.stringify(values.map((value) => policyVersionSchema.safeParse(value).error.issues[0].message)));
  `;
  return new Promise((resolve, reject) =>
    execFile(process.execPath, ['--input-type=module', '-e', script], (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(JSON.parse(stdout)))),
  );
}

describe('identifier schemas loaded alone', () => {
  it('say why a policy version is refused, as the full build does', async () => {
    const [zero, word, fraction] = await messagesAlone(['0', 'abc', '1.5']);
    expect(zero).toMatch(/Too small/);
    expect(word).toMatch(/expected number/);
    expect(fraction).toMatch(/expected int/);
  });
});
