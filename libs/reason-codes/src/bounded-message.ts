// boundedMessage(err): an error's message fit for a Kafka header or a log field — one line,
// credentials in URLs masked, at most `max` UTF-8 bytes, never cutting a character in half.
import { prop } from './verdict.js';

const DEFAULT_MAX_BYTES = 1024;
/** Causes followed after the error itself: enough to reach the socket error under a wrapper. */
const MAX_CAUSES = 3;
const CAUSE_SEPARATOR = '; caused by: ';
const ELLIPSIS = '…';
const ELLIPSIS_BYTES = Buffer.byteLength(ELLIPSIS);

function rawMessage(err: unknown): string {
  if (typeof err === 'string') return err;
  if (typeof err === 'object' && err !== null) {
    const message = prop(err, 'message');
    if (typeof message === 'string') return message;
    try {
      return JSON.stringify(err) ?? '[object]';
    } catch {
      return '[object]'; // cyclic, BigInt-holding or hostile objects
    }
  }
  return String(err);
}

/** "KafkaJSConnectionError: …"; the generic names "Error" and pg's "error" add nothing. */
function withName(err: unknown, message: string): string {
  const name = typeof err === 'object' && err !== null ? prop(err, 'name') : undefined;
  return typeof name === 'string' && /^[A-Z]/.test(name) && name !== 'Error' ? `${name}: ${message}` : message;
}

function describe(err: unknown): string {
  if (err === undefined || err === null) return String(err); // `throw undefined` happens
  let text = '';
  let current: unknown = err;
  for (let depth = 0; depth <= MAX_CAUSES && current !== undefined && current !== null; depth++) {
    const message = rawMessage(current).trim();
    // Wrappers often repeat their cause's message (kafkajs, pg-pool): say it once.
    if (message !== '' && !text.includes(message)) {
      text += (text === '' ? '' : CAUSE_SEPARATOR) + withName(current, message);
    }
    current = typeof current === 'object' ? prop(current, 'cause') : undefined;
  }
  return text === '' ? withName(err, 'unknown error') : text;
}

function singleLine(text: string): string {
  return text.replace(/[\p{Cc}\p{Zl}\p{Zp}\s]+/gu, ' ').trim();
}

/** postgres://user:secret@host → postgres://user:***@host; password=secret → password=*** */
export function redactCredentials(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s/@:]*):[^\s/@]*@/gi, '$1:***@').replace(/\b(password|passwd|pwd|secret|token)=[^\s&;,]+/gi, '$1=***');
}

function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const ellipsis = maxBytes >= ELLIPSIS_BYTES ? ELLIPSIS : '';
  const budget = maxBytes - Buffer.byteLength(ellipsis);
  let kept = '';
  let used = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char);
    if (used + size > budget) break;
    kept += char;
    used += size;
  }
  return kept + ellipsis;
}

/**
 * Printable ASCII words between single spaces, with no `@` (URL credentials) and no `=` (key=value
 * credentials): one line already, nothing to mask. Such a text within `max` is its own bounded
 * message, without the regular expressions of the general path (a DLQ header per letter, and
 * classify() per failed record: thousands a round when a replay brings late revisions).
 */
const PLAIN = /^[!-<>?A-~]+(?: [!-<>?A-~]+)*$/;

export function boundedMessage(err: unknown, max: number = DEFAULT_MAX_BYTES): string {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`boundedMessage: max must be a positive integer, got ${String(max)}`);
  const text = describe(err);
  if (text.length <= max && PLAIN.test(text)) return text;
  return truncateUtf8(redactCredentials(singleLine(text)), max);
}
