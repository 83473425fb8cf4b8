import { inventoryRequestSchema, skuSchema } from '../http/schemas.ts';
import { jsonBody, validate } from '../http/request.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { inventoryView } from '../domain/stock.ts';
import { dependencies } from '../use-cases/dependencies.ts';

/** PUT /inventory/{sku}: sets on-hand per warehouse (unlisted warehouses go to zero), keeping reservations. */
export const handler = httpHandler(async (event) => {
  const sku = validate(skuSchema, event.pathParameters?.sku, 'SKU');
  const { warehouses } = jsonBody(event, inventoryRequestSchema);
  const stock = await dependencies().stock.setOnHand(sku, warehouses);
  return json(200, inventoryView(stock));
});
