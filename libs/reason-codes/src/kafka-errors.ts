// Kafka client errors, from either client the mesh's Kafka port runs on.
// kafkajs: the class `name` says what failed, `retriable` says whether kafkajs itself would try
// again, and KafkaJSProtocolError carries the broker's error `type`.
// @platformatic/kafka: every error has a `code` starting PLT_KFK_ and most a `canRetry`; broker
// errors (ProtocolError) carry the broker's error id as `apiId`; MultipleErrors and ResponseError
// gather several errors in `errors` (one per retry attempt, or per partition of a response).
import { lookup, prop, stringProp, type Matcher, type ResolvedVerdict, type Verdict } from './verdict.js';

const CONNECTION: Verdict = { code: 'CONNECTION_ERROR' };
const REJECTED_CREDENTIALS: Verdict = { code: 'CONNECTION_ERROR', retryable: false };

const BY_NAME: Readonly<Record<string, Verdict>> = {
  KafkaJSConnectionError: CONNECTION,
  KafkaJSConnectionClosedError: CONNECTION,
  KafkaJSBrokerNotFound: CONNECTION,
  KafkaJSNoBrokerAvailableError: CONNECTION,
  KafkaJSRequestTimeoutError: { code: 'SINK_TIMEOUT' },
  KafkaJSTimeout: { code: 'SINK_TIMEOUT' },
  KafkaJSLockTimeout: { code: 'SINK_TIMEOUT' },
  KafkaJSSASLAuthenticationError: REJECTED_CREDENTIALS,
};

/** Broker error types (kafkajs src/protocol/error.js) that mean more than "retriable or not". */
const BY_PROTOCOL_TYPE: Readonly<Record<string, Verdict>> = {
  MESSAGE_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE' },
  RECORD_LIST_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE' },
  REQUEST_TIMED_OUT: { code: 'SINK_TIMEOUT' },
  SASL_AUTHENTICATION_FAILED: REJECTED_CREDENTIALS,
  TOPIC_AUTHORIZATION_FAILED: REJECTED_CREDENTIALS,
  GROUP_AUTHORIZATION_FAILED: REJECTED_CREDENTIALS,
  CLUSTER_AUTHORIZATION_FAILED: REJECTED_CREDENTIALS,
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: REJECTED_CREDENTIALS,
  // The broker lost an idempotent producer's state (a restart): never the record's fault. A new
  // producer id heals it (the kafkajs adapter makes one, @platformatic/kafka does so itself);
  // should that not be enough, the round is tried again rather than its records dead-lettered.
  OUT_OF_ORDER_SEQUENCE_NUMBER: CONNECTION,
  UNKNOWN_PRODUCER_ID: CONNECTION,
  INVALID_PRODUCER_EPOCH: CONNECTION,
};

/** Either client's errors. */
export const matchKafkaError: Matcher = (err, classifyCause) => matchKafkajsError(err, classifyCause) ?? matchPlatformaticError(err, classifyCause);

const matchKafkajsError: Matcher = (err, classifyCause) => {
  const name = stringProp(err, 'name');
  const retriable = prop(err, 'retriable');
  if (name === undefined || !name.startsWith('KafkaJS') || typeof retriable !== 'boolean') return undefined;

  if (name === 'KafkaJSNumberOfRetriesExceeded') {
    // kafkajs retries only retriable errors and then wraps the last one in `cause`, so the
    // failure was transient (broker down, leader moving): keep the cause's code when it is precise.
    const cause = classifyCause(prop(err, 'cause'));
    return cause.retryable ? cause : CONNECTION;
  }
  const byName = lookup(BY_NAME, name);
  if (byName !== undefined) return byName;
  const byType = lookup(BY_PROTOCOL_TYPE, stringProp(err, 'type'));
  if (byType !== undefined) return byType;
  return retriable ? CONNECTION : { code: 'INTERNAL_ERROR' };
};

const PLATFORMATIC_PREFIX = 'PLT_KFK_';

/** platformatic's TimeoutError gives its instances NetworkError's code (errors.js: super(NetworkError.code, …)); only its class's static `code` tells it apart. */
function isPlatformaticTimeout(err: object, code: string): boolean {
  const ctor = prop(err, 'constructor');
  return code === 'PLT_KFK_TIMEOUT' || (typeof ctor === 'function' && prop(ctor, 'code') === 'PLT_KFK_TIMEOUT');
}

const matchPlatformaticError: Matcher = (err, classifyCause) => {
  const code = stringProp(err, 'code');
  if (code === undefined || !code.startsWith(PLATFORMATIC_PREFIX)) return undefined;
  if (isPlatformaticTimeout(err, code)) return { code: 'SINK_TIMEOUT' };
  switch (code) {
    case 'PLT_KFK_MULTIPLE':
    case 'PLT_KFK_RESPONSE':
      return gathered(err, classifyCause);
    case 'PLT_KFK_PROTOCOL':
      return lookup(BY_PROTOCOL_TYPE, stringProp(err, 'apiId')) ?? (prop(err, 'canRetry') === true ? CONNECTION : { code: 'INTERNAL_ERROR' });
    case 'PLT_KFK_AUTHENTICATION':
      return REJECTED_CREDENTIALS;
    case 'PLT_KFK_NETWORK': {
      // A failed connection wraps what failed in it: SASL rejecting the credentials is not transient.
      const cause = prop(err, 'cause');
      const verdict = cause === undefined ? undefined : classifyCause(cause);
      return verdict && !verdict.retryable && verdict.code === 'CONNECTION_ERROR' ? verdict : CONNECTION;
    }
    default:
      // PLT_KFK_USER, PLT_KFK_UNSUPPORTED…: a misuse of the client or a broker it cannot talk to.
      return { code: 'INTERNAL_ERROR' };
  }
};

/**
 * Several errors at once: the attempts of an operation the client retried, or one per partition of
 * a broker response. One that retrying cannot fix (a record too large, credentials refused) decides;
 * otherwise a transient one does (the client gave up on it, we need not); otherwise it is a bug.
 */
function gathered(err: object, classifyCause: (cause: unknown) => ResolvedVerdict): Verdict {
  const errors = prop(err, 'errors');
  const verdicts = (Array.isArray(errors) ? errors : []).map((e: unknown) => classifyCause(e));
  return (
    verdicts.find((v) => !v.retryable && v.code !== 'INTERNAL_ERROR') ??
    verdicts.find((v) => v.retryable) ??
    (verdicts.length === 0 ? classifyCause(prop(err, 'cause')) : { code: 'INTERNAL_ERROR' })
  );
}
