// kafkajs errors: the class `name` says what failed, `retriable` says whether kafkajs itself
// would try again, and KafkaJSProtocolError carries the broker's error `type`.
import { lookup, prop, stringProp, type Matcher, type Verdict } from './verdict.js';

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
};

export const matchKafkaError: Matcher = (err, classifyCause) => {
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
