// Credentials must never reach a log line: connection strings (DATABASE_URL, REDIS_URL…) carry
// passwords in their userinfo, and some URLs carry tokens in their query string. These helpers
// work on plain text with regular expressions rather than the URL parser, so they also clean
// URLs embedded in longer strings (error messages, stack traces, whole JSON log lines) and never
// reformat what they do not need to touch.

export const REDACTED = '***';

// scheme://user:password@host — as WHATWG URL parsing reads it: the authority ends at the first
// '/', '?' or '#', and within it the LAST '@' ends the userinfo, so a raw '@' in a password (which
// `new URL` accepts) is covered too; the user part ends at its first ':'. Backslash pairs are read
// as one character so a JSON-escaped quote inside a password (`\"`) does not end the match early.
const USERINFO_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/)((?:\\.|[^\s/?#":\\])*):((?:\\.|[^\s/?#"\\])*)@/gi;

// ?password=…, &token=…, &sslpassword=…, &api_key=…, &sig=… (the usual credential parameters).
const SECRET_QUERY_PARAM = /([?&](?:[a-z_]*password|passwd|pwd|secret|[a-z_]*token|api[_-]?key|apikey|sig|signature)=)[^&\s"#]*/gi;

/** The text with every URL password and credential query parameter replaced by `***`. */
export function redactSecretsInText(text: string): string {
  if (!text.includes('://') && !text.includes('=')) return text;
  return text.replace(USERINFO_PASSWORD, redactUserinfo).replace(SECRET_QUERY_PARAM, `$1${REDACTED}`);
}

/** A URL fit for logs: `postgres://mesh:s3cret@db/mesh` becomes `postgres://mesh:***@db/mesh`. */
export function redactUrl(url: string): string {
  return redactSecretsInText(url);
}

function redactUserinfo(_match: string, scheme: string, user: string, password: string): string {
  return password === '' ? `${scheme}${user}:@` : `${scheme}${user}:${REDACTED}@`;
}
