/** The refund confirmation's reference is published in RefundCompleted, so it is an identifier that must not hold personal data. */
import { describe, expect, it } from 'vitest';
import { refundConfirmationSchema } from '../../functions/http/schemas.ts';

describe('refundConfirmationSchema', () => {
  it('takes a payment partner\'s refund id', () => {
    expect(refundConfirmationSchema.safeParse({ reference: 're_3QpX2aZk9' }).success).toBe(true);
  });

  it('refuses a reference that looks like a phone or an e-mail address, naming the field', () => {
    for (const reference of ['13800138000', 'li.wei@example.com']) {
      const result = refundConfirmationSchema.safeParse({ reference });
      expect(result.success, reference).toBe(false);
      expect(new Set(result.error?.issues.map((issue) => issue.path.join('.')))).toEqual(new Set(['reference']));
    }
  });
});
