/** `schemaVersion` of every event the pipeline publishes (order and return events alike); see README "Event contracts" for when it changes. */
export const EVENT_SCHEMA_VERSION = '1.0';
