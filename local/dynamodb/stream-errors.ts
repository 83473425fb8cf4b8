/** How the stream relay recognises and reports the errors of the Streams API and the file system. */

export function isError(error: unknown, name: string): boolean {
  const e = error as { name?: string; code?: string } | null;
  return e?.name === name || e?.code === name;
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message ? `${error.name}: ${error.message}` : error.name;
  return String(error);
}
