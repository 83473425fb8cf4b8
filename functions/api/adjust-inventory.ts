import { inventoryAdjustmentSchema, skuSchema } from '../http/schemas.ts';
import { jsonBody, validate } from '../http/request.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { inventoryView } from '../domain/stock.ts';
import { logger } from '../observability.ts';
import { dependencies } from '../use-cases/dependencies.ts';
import { adjustInventory } from '../use-cases/inventory.ts';

/**
 * POST /inventory/{sku}/adjustments: units received or written off at one warehouse the SKU
 * is stocked at; 404 for a SKU with no inventory, 400 for another warehouse.
 */
export const handler = httpHandler(async (event) => {
  const sku = validate(skuSchema, event.pathParameters?.sku, 'SKU');
  const { reason, ...adjustment } = jsonBody(event, inventoryAdjustmentSchema);
  const stock = await adjustInventory(dependencies(), sku, adjustment);
  logger.info('Inventory adjusted', { sku, ...adjustment, reason });
  return json(200, inventoryView(stock));
});
