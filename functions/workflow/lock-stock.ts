import { dependencies } from '../use-cases/dependencies.ts';
import { lockStock } from '../use-cases/lock-stock.ts';
import { stepHandler, stepInputSchema } from './step-handler.ts';

export const handler = stepHandler(stepInputSchema, ({ orderId }) => lockStock(dependencies(), orderId));
