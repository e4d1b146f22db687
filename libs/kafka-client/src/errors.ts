// Errors the port itself raises, the same from every adapter, so callers never need to know
// which client ran. A client's own error is kept as `cause`, where classify() finds it.

/** A call the port refuses before reaching Kafka (a wrong argument, a state that forbids it). */
export class KafkaPortUsageError extends Error {
  override readonly name = 'KafkaPortUsageError';
}

/** deleteGroups could delete only some of the groups; `groups` are the ids of the others. */
export class KafkaGroupsNotDeletedError extends Error {
  override readonly name = 'KafkaGroupsNotDeletedError';
  constructor(
    readonly groups: string[],
    options?: { cause?: unknown },
  ) {
    super(`could not delete consumer group(s) ${groups.join(', ')}`, options);
  }
}
