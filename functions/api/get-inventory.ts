import { skuSchema } from '../http/identifiers.ts';
import { validate } from '../http/request.ts';
import { problems } from '../http/problem.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { inventoryView } from '../domain/stock.ts';
import { stockRepository } from '../use-cases/dependencies.ts';

/** GET /inventory/{sku}: on-hand, reserved and available per warehouse, and network available-to-promise. */
export const handler = httpHandler(async (event) => {
  const sku = validate(skuSchema, event.pathParameters?.sku, 'SKU');
  const stock = await stockRepository().get(sku);
  if (!stock) throw problems.notFound(`No inventory is recorded for ${sku}`);
  return json(200, inventoryView(stock));
});
