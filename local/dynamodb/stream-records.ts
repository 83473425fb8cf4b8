/**
 * A record read through the DynamoDB Streams API, turned into the record Lambda hands a function:
 * epoch-second creation times, base64 binaries, and what DynamoDB Local sends differently from
 * real Streams smoothed over.
 */
import type { AttributeValue as StreamAttributeValue, _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';

/** Where the record comes from, for the fields DynamoDB Local leaves out or gets wrong. */
export interface StreamSource {
  streamArn: string;
  /** The region the functions run in. */
  region: string;
}

// DynamoDB Local rounds ApproximateCreationDateTime down to the minute, so a record may be up to this much younger than it claims.
const CREATION_TIME_GRANULARITY_MS = 60_000;

export function toLambdaRecord(raw: StreamRecord, source: StreamSource): DynamoDBRecord {
  const stream = raw.dynamodb ?? {};
  const created = stream.ApproximateCreationDateTime;
  const dynamodb: NonNullable<DynamoDBRecord['dynamodb']> = {
    ...(created !== undefined ? { ApproximateCreationDateTime: toEpochSeconds(created) } : {}),
    ...(stream.Keys ? { Keys: toLambdaImage(stream.Keys) } : {}),
    ...(stream.NewImage ? { NewImage: toLambdaImage(stream.NewImage) } : {}),
    ...(stream.OldImage ? { OldImage: toLambdaImage(stream.OldImage) } : {}),
    SequenceNumber: stream.SequenceNumber!,
    ...(stream.SizeBytes !== undefined ? { SizeBytes: stream.SizeBytes } : {}),
    ...(stream.StreamViewType ? { StreamViewType: stream.StreamViewType } : {}),
  };
  return {
    eventID: raw.eventID!,
    eventName: raw.eventName!,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    // DynamoDB Local reports the region as "ddblocal"; functions expect the region they run in.
    awsRegion: raw.awsRegion && raw.awsRegion !== 'ddblocal' ? raw.awsRegion : source.region,
    dynamodb,
    eventSourceARN: source.streamArn,
    ...(raw.userIdentity ? { userIdentity: { type: raw.userIdentity.Type, principalId: raw.userIdentity.PrincipalId } } : {}),
  };
}

/** An upper bound of the time the record was written, so its age never overshoots and dead-letters it early. */
export function writtenBy(record: DynamoDBRecord, readAt: number): number {
  const created = record.dynamodb?.ApproximateCreationDateTime;
  if (created === undefined) return readAt;
  return Math.min(created * 1000 + CREATION_TIME_GRANULARITY_MS, readAt);
}

function toEpochSeconds(value: Date | number | string): number {
  if (value instanceof Date) return value.getTime() / 1000;
  return Number(value);
}

function toLambdaImage(image: Record<string, StreamAttributeValue>): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, toLambdaValue(value)]));
}

// The SDK decodes binary values to bytes; Lambda's event carries them base64-encoded, as on the wire.
function toLambdaValue(value: StreamAttributeValue): AttributeValue {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (value.M !== undefined) return { M: toLambdaImage(value.M) };
  if (value.L !== undefined) return { L: value.L.map(toLambdaValue) };
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };
  // DynamoDB Local sends an empty map as `{}`, without its type; real Streams send `{"M":{}}`.
  if (Object.keys(value).length === 0) return { M: {} };
  return value as unknown as AttributeValue;
}
