/**
 * Numbers as event-ruler compares them. Numeric matching is limited to ±5e9 with six decimal places. Pattern operands must fit exactly (AWS
 * rejects the pattern otherwise); event values are rounded to six places, and ones out of range only match by text.
 */

const SCALE = 1_000_000;
const FIVE_BILLION = 5e9;
const FIVE_BILLION_SCALED = 5_000_000_000_000_000n;
export const RANGE_FLOOR = -Number(FIVE_BILLION_SCALED);
export const RANGE_CEILING = Number(FIVE_BILLION_SCALED);

export class NumberNotComparableError extends Error {}

// A pattern number as an integer count of millionths, computed exactly from its lexeme.
export function patternComparable(lexeme: string): number {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(lexeme);
  if (!match) throw new NumberNotComparableError(`Cannot compare number : ${lexeme}`);
  const [, sign, whole, fraction = '', exponentText = '0'] = match;
  let digits = (whole! + fraction).replace(/^0+/, '');
  if (digits === '') return 0;
  let exponent = Number(exponentText) - fraction.length;
  const trailingZeros = digits.length - digits.replace(/0+$/, '').length;
  digits = digits.slice(0, digits.length - trailingZeros);
  exponent += trailingZeros;
  if (exponent < -6) throw new NumberNotComparableError('Only values upto 6 decimals are supported');
  const outOfRange = `Value must be between ${javaDouble(-FIVE_BILLION)} and ${javaDouble(FIVE_BILLION)}, inclusive`;
  if (digits.length + exponent + 6 > 17) throw new NumberNotComparableError(outOfRange);
  const scaled = BigInt(digits) * 10n ** BigInt(exponent + 6);
  if (scaled > FIVE_BILLION_SCALED) throw new NumberNotComparableError(outOfRange);
  return sign === '-' ? -Number(scaled) : Number(scaled);
}

function javaDouble(value: number): string {
  return value.toExponential().replace('e+', 'E').replace(/^(-?\d)E/, '$1.0E');
}

// An event number as event-ruler compares it: parsed as a double, then rounded to millionths.
export function eventComparable(lexeme: string): number | undefined {
  const value = Number(lexeme);
  if (!(Math.abs(value) <= FIVE_BILLION)) return undefined;
  return Math.round(SCALE * value);
}
