import { dependencies } from '../use-cases/dependencies.ts';
import { releaseAllocation } from '../use-cases/route-order.ts';
import { stepHandler, stepInputSchema } from './step-handler.ts';

export const handler = stepHandler(stepInputSchema, ({ orderId }) => releaseAllocation(dependencies(), orderId));
