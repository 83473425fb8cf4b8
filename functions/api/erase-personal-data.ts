import { customerIdSchema } from '../http/schemas.ts';
import { validate } from '../http/request.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { createDocumentClient, requiredEnv } from '../store/dynamodb.ts';
import { CustomerIndex } from '../store/customer-index.ts';
import { OrderStore } from '../store/order-store.ts';
import { erasePersonalDataOf, type ErasureDependencies } from '../use-cases/erase-personal-data.ts';

let cached: ErasureDependencies | undefined;

function dependencies(): ErasureDependencies {
  if (cached) return cached;
  const client = createDocumentClient();
  const tableName = requiredEnv('ORDERS_TABLE_NAME');
  cached = { orders: new OrderStore(client, tableName), customers: new CustomerIndex(client, tableName), now: () => new Date().toISOString() };
  return cached;
}

/** DELETE /customers/{customerId}/personal-data: erases the customer's personal data from every order of theirs that has ended. */
export const handler = httpHandler(async (event) => {
  const customerId = validate(customerIdSchema, event.pathParameters?.customerId, 'customer id');
  return json(200, await erasePersonalDataOf(dependencies(), customerId));
});
