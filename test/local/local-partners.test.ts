/** Which partners `npm start` runs: those whose connection needs no secret, and those whose secret the local secrets file holds. */
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { localPartners } from '../../local/local-partners.ts';

const EXAMPLE_PARTNERS = fileURLToPath(new URL('../../config/partners.json', import.meta.url));

it('leaves out the example partner whose API key secret is missing, and says which secret it waits for', () => {
  const partners = localPartners(EXAMPLE_PARTNERS, {});
  expect(partners.enabled).toEqual(['erp']);
  expect(partners.disabled).toEqual([{ name: 'acme-warehouse', secretName: 'order-pipeline/partners/acme-warehouse' }]);
  expect((partners.document.partners as Array<{ name: string }>).map((partner) => partner.name)).toEqual(['erp']);
});

it('runs every partner once its secret is there', () => {
  const partners = localPartners(EXAMPLE_PARTNERS, { 'order-pipeline/partners/acme-warehouse': { apiKey: 'local-test-key' } });
  expect(partners.enabled).toEqual(['acme-warehouse', 'erp']);
  expect(partners.disabled).toEqual([]);
});
