/**
 * EventBridge event-pattern matching with AWS semantics.
 *
 * EventBridge matches with aws/event-ruler; this package follows that engine's observable behaviour (including its
 * quirks, such as dot-joined field paths and array-consistent matching) and is checked against outcomes recorded
 * from real AWS (the repository's test/fixtures/conformance/eventbridge-patterns.json).
 */

export { InvalidEventError, InvalidEventPatternError } from './errors.ts';
export { type CompiledEventPattern, compileEventPattern, testEventPattern, validateEvent } from './event-pattern.ts';
