import { customerIdSchema } from '../http/schemas.ts';
import { validate } from '../http/request.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { dependencies } from '../use-cases/dependencies.ts';
import { erasePersonalDataOf } from '../use-cases/erase-personal-data.ts';

/** DELETE /customers/{customerId}/personal-data: erases the customer's personal data from every order of theirs that has ended. */
export const handler = httpHandler(async (event) => {
  const customerId = validate(customerIdSchema, event.pathParameters?.customerId, 'customer id');
  return json(200, await erasePersonalDataOf(dependencies(), customerId));
});
