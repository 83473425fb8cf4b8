/**
 * Delivery-option quotes against DynamoDB Local: the quote item (TTL attribute, no personal
 * data, bound to its channel), no stock touched by quoting, and RouteOrder honouring a quote
 * or routing as usual with the reason.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OrderRequest } from '../../functions/domain/order.ts';
import { inventoryView } from '../../functions/domain/stock.ts';
import type { QuoteOptionName } from '../../functions/domain/routing/quote-outcome.ts';
import { quoteKey } from '../../functions/store/keys.ts';
import { QUOTE_KEEP_SECONDS } from '../../functions/store/quote-store.ts';
import type { Dependencies } from '../../functions/use-cases/dependencies.ts';
import { setOnHand } from '../../functions/use-cases/inventory.ts';
import { lockStock } from '../../functions/use-cases/lock-stock.ts';
import { placeOrderOnce } from '../../functions/use-cases/place-order.ts';
import { quoteDelivery, QUOTE_VALIDITY_MS, type QuoteAnswer } from '../../functions/use-cases/quote-delivery.ts';
import { routeOrder } from '../../functions/use-cases/route-order.ts';
import { stageRoutingPolicyVersion } from '../../functions/use-cases/routing-policy.ts';
import { rolloutArm } from '../../functions/domain/routing/rollout.ts';
import type { RoutingPolicy } from '../../functions/domain/routing/routing-policy.ts';
import { ulid } from 'ulid';
import { orderEventOf } from '../../functions/domain/events.ts';
import { checkedInDetailValidator } from '../support/event-contracts.ts';

const validateDetail = checkedInDetailValidator();
import { orderRequest } from '../fixtures/orders.ts';
import { localDependencies, localDynamoDbClient } from '../support/dynamodb.ts';

let deps: Dependencies;
let tableName: string;
let skuCounter = 0;

beforeAll(async () => {
  deps = await localDependencies('quotes');
  tableName = (deps.orders as unknown as { tableName: string }).tableName;
});

const DESTINATION = { country: 'CN', region: 'Shanghai', city: 'Shanghai', postalCode: '200000' };

async function stockedSku(warehouses: Record<string, number>): Promise<string> {
  const sku = `QSKU-${++skuCounter}-${Date.now()}`;
  await setOnHand(deps, sku, warehouses);
  return sku;
}

async function quoted(sku: string, quantity: number, channel = 'web-shop') {
  const answer = await quoteDelivery(deps, { channel, lines: [{ sku, quantity }], destination: DESTINATION, customerTier: 'plus' });
  if (answer.quoteId === null) throw new Error(`no option: ${answer.noOption.summary}`);
  return answer as Extract<QuoteAnswer, { quoteId: string }>;
}

async function placedAndRouted(
  sku: string,
  quantity: number,
  quote?: { quoteId: string; option: QuoteOptionName },
  using = deps,
  where: Partial<OrderRequest['shipTo']> = {},
) {
  const request = orderRequest({ lines: [{ sku, quantity, unitPrice: 500 }], ...(quote ? { quote } : {}) });
  const { order } = await placeOrderOnce(using, { ...request, shipTo: { ...request.shipTo, ...where } });
  await lockStock(using, order.orderId);
  await routeOrder(using, order.orderId);
  return (await deps.orders.get(order.orderId))!;
}

describe('the quote item', () => {
  it('is stored with a TTL a day past its validity, bound to the channel, lines and place, without the postal code; stock is untouched', async () => {
    const sku = await stockedSku({ 'wh-shanghai': 5, 'wh-chengdu': 8 });
    const before = inventoryView((await deps.stock.get(sku))!);
    const answer = await quoted(sku, 2);
    expect(inventoryView((await deps.stock.get(sku))!)).toEqual(before);
    expect(Date.parse(answer.validUntil) - Date.now()).toBeLessThanOrEqual(QUOTE_VALIDITY_MS);
    expect(answer.policyVersion).toBe(1);
    expect(answer.options.cheapest).toMatchObject({ currency: 'CNY', warehouseIds: ['wh-shanghai'] });

    const { Item } = await localDynamoDbClient().send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: quoteKey(answer.quoteId).pk }, sk: { S: 'QUOTE' } }, ConsistentRead: true }));
    const item = unmarshall(Item!);
    expect(item).toMatchObject({ entityType: 'DeliveryQuote', channel: 'web-shop', place: 'cn|shanghai|shanghai' });
    expect(item.expiresAt).toBe(Math.floor(Date.parse(answer.validUntil) / 1000) + QUOTE_KEEP_SECONDS);
    expect(JSON.stringify(item)).not.toContain('200000');
    expect(await deps.quotes.get(answer.quoteId)).toMatchObject({ quoteId: answer.quoteId, channel: 'web-shop', options: { cheapest: expect.any(String) } });
  });

  it('answers no option, and no quote id, when nothing can serve the lines', async () => {
    const sku = await stockedSku({ 'wh-shanghai': 1 });
    const answer = await quoteDelivery(deps, { channel: 'web-shop', lines: [{ sku, quantity: 5 }], destination: DESTINATION, customerTier: 'standard' });
    expect(answer).toMatchObject({ quoteId: null, options: null, noOption: { excluded: { stock: 4 } } });
  });
});

describe('RouteOrder and the quote an order references', () => {
  it.each(['fastest', 'cheapest', 'greenest'] as const)('ships the quoted %s option (same warehouses, carriers, services, parcels)', async (option) => {
    const sku = await stockedSku({ 'wh-shanghai': 5, 'wh-chengdu': 8 });
    const answer = await quoted(sku, 2);
    const order = await placedAndRouted(sku, 2, { quoteId: answer.quoteId, option });
    expect(order.status).toBe('ROUTED');
    expect(order.route!.explanation.quote).toEqual({ quoteId: answer.quoteId, option, honoured: true });
    expect(order.route!.parcels.map(({ warehouseId, carrier, serviceLevel, lines }) => ({ warehouseId, carrier, serviceLevel, lines }))).toEqual(
      answer.options[option].parcels.map(({ warehouseId, carrier, serviceLevel, lines }) => ({ warehouseId, carrier, serviceLevel, lines })),
    );
    expect(order.route!.totalCostMinor).toBe(answer.options[option].priceMinor);
    // OrderRouted carries the quote's outcome and conforms to the checked-in contract partners read.
    const event = orderEventOf(order);
    expect(event.type).toBe('OrderRouted');
    expect(validateDetail(event)).toEqual([]);
    expect((event.data as { route: { explanation: { quote: unknown } } }).route.explanation.quote).toEqual({ quoteId: answer.quoteId, option, honoured: true });
    // A retried step answers what was committed.
    expect((await routeOrder(deps, order.orderId)).parcels).toEqual(order.route!.parcels.map(({ warehouseId, carrier, serviceLevel }) => ({ warehouseId, carrier, serviceLevel })));
  });

  it('routes as usual, saying why, for another channel\'s quote, other lines, a quote expired at placement, a destination elsewhere, or the stock gone', async () => {
    const sku = await stockedSku({ 'wh-shanghai': 5, 'wh-chengdu': 8 });
    const other = await quoted(sku, 2, 'app-store');
    expect((await placedAndRouted(sku, 2, { quoteId: other.quoteId, option: 'cheapest' })).route!.explanation.quote).toMatchObject({ honoured: false, reason: 'not-found' });

    const mine = await quoted(sku, 2);
    expect((await placedAndRouted(sku, 3, { quoteId: mine.quoteId, option: 'cheapest' })).route!.explanation.quote).toMatchObject({ honoured: false, reason: 'lines-changed' });

    const elsewhere = await placedAndRouted(sku, 2, { quoteId: mine.quoteId, option: 'cheapest' }, deps, { region: 'Zhejiang', city: 'Hangzhou' });
    expect(elsewhere.route!.explanation.quote).toMatchObject({ honoured: false, reason: 'destination-changed' });
    // Place names compare as routing matches them: case and spaces do not change the destination.
    const fresh = await stockedSku({ 'wh-shanghai': 5 });
    const freshQuote = await quoted(fresh, 2);
    const sameCity = await placedAndRouted(fresh, 2, { quoteId: freshQuote.quoteId, option: 'cheapest' }, deps, { city: 'SHANGHAI', postalCode: '200120' });
    expect(sameCity.route!.explanation.quote).toMatchObject({ honoured: true });

    const later = { ...deps, now: () => new Date(Date.parse(mine.validUntil) + 1000).toISOString() };
    expect((await placedAndRouted(sku, 2, { quoteId: mine.quoteId, option: 'cheapest' }, later)).route!.explanation.quote).toMatchObject({ honoured: false, reason: 'expired' });

    // Shanghai's units go elsewhere after the quote: the order ships from Chengdu instead.
    const gone = await stockedSku({ 'wh-shanghai': 2, 'wh-chengdu': 8 });
    const beforeGone = await quoted(gone, 2);
    expect(beforeGone.options.cheapest.warehouseIds).toEqual(['wh-shanghai']);
    await setOnHand(deps, gone, { 'wh-shanghai': 0, 'wh-chengdu': 8 });
    const routed = await placedAndRouted(gone, 2, { quoteId: beforeGone.quoteId, option: 'cheapest' });
    expect(routed.route!.explanation.quote).toEqual({ quoteId: beforeGone.quoteId, option: 'cheapest', honoured: false, reason: 'option-unavailable' });
    expect(routed.route!.parcels.map((parcel) => parcel.warehouseId)).toEqual(['wh-chengdu']);
  });
});

describe('a quote while a policy version is staged', () => {
  it('is answered by the arm its id falls in, and says which version answered', async () => {
    const staged = await localDependencies('quotes-rollout');
    const live = (await staged.policies.current<RoutingPolicy>())!;
    const next = await staged.policies.save({ ...live.document, currency: 'EUR', description: 'Prices in euro' }, live.version, staged.now());
    await staged.policies.save(live.document, next.version, staged.now()); // live again, as version 3
    await stageRoutingPolicyVersion(staged, next.version, 0.5, 'any');
    const ids = Array.from({ length: 64 }, () => ulid());
    const inArm = (arm: string) => ids.find((id) => rolloutArm(id, 0.5) === arm)!;
    await setOnHand(staged, 'ROLLOUT-SKU', { 'wh-shanghai': 5 });
    const ask = (quoteId: string) =>
      quoteDelivery({ ...staged, newQuoteId: () => quoteId }, { channel: 'web-shop', lines: [{ sku: 'ROLLOUT-SKU', quantity: 1 }], destination: DESTINATION, customerTier: 'standard' });

    const candidate = await ask(inArm('candidate'));
    expect(candidate).toMatchObject({ policyVersion: next.version, rollout: { arm: 'candidate', candidateVersion: next.version, liveVersion: 3, share: 0.5 } });
    expect(candidate.options!.cheapest.currency).toBe('EUR');
    const liveArm = await ask(inArm('live'));
    expect(liveArm).toMatchObject({ policyVersion: 3, rollout: { arm: 'live' } });
    expect(liveArm.options!.cheapest.currency).toBe('CNY');
  });
});
