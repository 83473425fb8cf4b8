/** A payment's reference is kept on the order: a provider's id, refused when it looks like the payer's own data. */
import { describe, expect, it } from 'vitest';
import { paymentReportSchema, placementPaymentSchema } from '../../functions/http/schemas.ts';

const ALIPAY_TRADE_NO = '2026120422001404561234567890';
const WECHAT_TRANSACTION_ID = '4200001234202612041234567890';

describe('payment references', () => {
  it('takes the all-digit transaction numbers Alipay and WeChat Pay give, on the report and when placing', () => {
    for (const reference of [ALIPAY_TRADE_NO, WECHAT_TRANSACTION_ID]) {
      expect(paymentReportSchema.safeParse({ status: 'authorized', reference }).success, reference).toBe(true);
      expect(placementPaymentSchema.safeParse({ status: 'pending', provider: 'alipay', reference }).success, reference).toBe(true);
    }
  });

  it('refuses a phone, card or ID number given as the reference, naming the field', () => {
    for (const reference of ['13800138000', '6222021234567890123', '110101199003071234']) {
      const result = paymentReportSchema.safeParse({ status: 'authorized', reference });
      expect(result.success, reference).toBe(false);
      expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['reference']);
    }
  });
});
