/**
 * How routing rounds its figures and orders ids: the same in every step, so a decision is
 * reproducible to the last digit whatever order the policy lists things in.
 */


export const round = (value: number, digits = 3) => Number(value.toFixed(digits));

export const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
