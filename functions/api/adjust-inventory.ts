import { inventoryAdjustmentSchema, skuSchema } from '../http/schemas.ts';
import { jsonBody, validate } from '../http/request.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { inventoryView } from '../domain/stock.ts';
import { logger } from '../observability.ts';
import { dependencies } from '../use-cases/dependencies.ts';
import { adjust } from '../use-cases/inventory.ts';

/**
 * POST /inventory/{sku}/adjustments: units received or written off at one warehouse,
 * relative to the count at the moment of the write, so two receipts never overwrite
 * each other and orders in flight keep their reservations.
 */
export const handler = httpHandler(async (event) => {
  const sku = validate(skuSchema, event.pathParameters?.sku, 'SKU');
  const { warehouseId, delta, reason } = jsonBody(event, inventoryAdjustmentSchema);
  const stock = await adjust(dependencies(), sku, warehouseId, delta);
  logger.info('Inventory adjusted', { sku, warehouseId, delta, reason });
  return json(200, inventoryView(stock));
});
