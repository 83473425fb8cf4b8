import { inventoryRequestSchema, skuSchema } from '../http/schemas.ts';
import { jsonBody, validate } from '../http/request.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { problems } from '../http/problem.ts';
import { inventoryView } from '../domain/stock.ts';
import { dependencies } from '../use-cases/dependencies.ts';
import { rebalance, setOnHand } from '../use-cases/inventory.ts';

/**
 * PUT /inventory/{sku}: sets on-hand per warehouse (unlisted warehouses go to zero)
 * and/or the shard count, keeping reservations and rebalancing the shards.
 */
export const handler = httpHandler(async (event) => {
  const sku = validate(skuSchema, event.pathParameters?.sku, 'SKU');
  const { warehouses, shards } = jsonBody(event, inventoryRequestSchema);
  const deps = dependencies();
  if (!warehouses && !(await deps.stock.get(sku))) throw problems.notFound(`No inventory is recorded for ${sku}; set on-hand counts first`);
  const stock = warehouses ? await setOnHand(deps, sku, warehouses, shards) : await rebalance(deps, sku, shards);
  return json(200, inventoryView(stock));
});
