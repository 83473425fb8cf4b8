/** The errors, named after the exceptions AWS answers with. */

/** Thrown where AWS answers PutRule/TestEventPattern with InvalidEventPatternException. */
export class InvalidEventPatternError extends Error {
  override readonly name = 'InvalidEventPatternException';
  /** AWS's reason text, without the "Event pattern is not valid." preamble. */
  readonly reason: string;

  constructor(reason: string) {
    super(`Event pattern is not valid. Reason: ${reason}`);
    this.reason = reason;
  }
}

/** Thrown where AWS answers TestEventPattern with ValidationException: the event itself is unusable. */
export class InvalidEventError extends Error {
  override readonly name = 'ValidationException';
  readonly reason: string;

  constructor(reason: string) {
    super('Parameter Event is not valid.');
    this.reason = reason;
  }
}

/** Rejects the pattern being compiled with AWS's reason. */
export function invalid(reason: string): never {
  throw new InvalidEventPatternError(reason);
}
