import { inventoryRequestSchema, skuSchema } from '../http/schemas.ts';
import { jsonBody, validate } from '../http/request.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { inventoryView } from '../domain/stock.ts';
import { dependencies } from '../use-cases/dependencies.ts';
import { setInventory } from '../use-cases/inventory.ts';

/**
 * PUT /inventory/{sku}: sets on-hand per warehouse (unlisted warehouses go to zero)
 * and/or the shard count, keeping reservations and rebalancing the shards.
 */
export const handler = httpHandler(async (event) => {
  const sku = validate(skuSchema, event.pathParameters?.sku, 'SKU');
  const change = jsonBody(event, inventoryRequestSchema);
  return json(200, inventoryView(await setInventory(dependencies(), sku, change)));
});
