import { dependencies } from '../use-cases/dependencies.ts';
import { cancelShipment } from '../use-cases/request-shipment.ts';
import { stepHandler, stepInputSchema } from './step-handler.ts';

export const handler = stepHandler(stepInputSchema, ({ orderId }) => cancelShipment(dependencies(), orderId));
