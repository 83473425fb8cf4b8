/** The refund confirmation's reference is published in RefundCompleted, so it is an identifier that must not hold personal data. */
import { describe, expect, it } from 'vitest';
import { refundConfirmationSchema } from '../../functions/http/schemas.ts';

describe('refundConfirmationSchema', () => {
  it('takes a payment partner\'s refund id', () => {
    expect(refundConfirmationSchema.safeParse({ reference: 're_3QpX2aZk9' }).success).toBe(true);
  });

  it("takes a provider's all-digit refund number, longer than any phone, card or ID number (WeChat Pay's refund_id)", () => {
    expect(refundConfirmationSchema.safeParse({ reference: '50300000382026120409732678859' }).success).toBe(true);
  });

  it('refuses a reference that looks like a phone or an e-mail address, naming the field', () => {
    for (const reference of ['13800138000', '6222021234567890123', 'li.wei@example.com']) {
      const result = refundConfirmationSchema.safeParse({ reference });
      expect(result.success, reference).toBe(false);
      expect(new Set(result.error?.issues.map((issue) => issue.path.join('.')))).toEqual(new Set(['reference']));
    }
  });
});
