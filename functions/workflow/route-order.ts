import { dependencies } from '../use-cases/dependencies.ts';
import { routeOrder } from '../use-cases/route-order.ts';
import { stepHandler, stepInputSchema } from './step-handler.ts';

export const handler = stepHandler(stepInputSchema, ({ orderId }) => routeOrder(dependencies(), orderId));
