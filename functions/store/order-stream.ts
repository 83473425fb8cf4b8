/**
 * What the orders table's change stream says about orders: the table holds other items
 * (stock, reservations, keys), and an order item rewritten without a new version (a
 * closing mark, a lease) is no transition.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { Order } from '../domain/order.ts';
import { ENTITY } from './keys.ts';
import { fromOrderItem } from './order-item.ts';
import type { Return } from '../domain/returns.ts';
import { fromReturnItem } from './return-store.ts';

type Image = Record<string, AttributeValue>;

/** The new image of a record whose item is of `entityType` and got a new version; undefined for anything else. */
function newVersionImage(record: DynamoDBRecord, entityType: string): Record<string, unknown> | undefined {
  if (record.eventName === 'REMOVE') return undefined;
  const newImage = record.dynamodb?.NewImage as Image | undefined;
  if (!newImage || newImage.entityType?.S !== entityType) return undefined;
  const oldVersion = (record.dynamodb?.OldImage as Image | undefined)?.version?.N;
  if (oldVersion !== undefined && oldVersion === newImage.version?.N) return undefined;
  return unmarshall(newImage);
}

/** The order a stream record carries when it is a new version of an order item. */
export function newOrderVersionOf(record: DynamoDBRecord): Order | undefined {
  const image = newVersionImage(record, ENTITY.order);
  return image && fromOrderItem(image);
}

/** The return a stream record carries when it is a new version of a return item (returns live in the same table). */
export function newReturnVersionOf(record: DynamoDBRecord): Return | undefined {
  const image = newVersionImage(record, ENTITY.return);
  return image && fromReturnItem(image);
}

/** The order id of a stream record's new image, for logs about a record that could not be turned into an event. */
export function orderIdOfRecord(record: DynamoDBRecord): string | undefined {
  return (record.dynamodb?.NewImage as Image | undefined)?.orderId?.S;
}
