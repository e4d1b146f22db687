// JSON responses of the webhook. An answer given before the body was read in full closes the
// connection: the rest of the body is then discarded by the socket's end, never buffered, and a
// client cannot keep a connection busy by streaming an endless body after a refusal.
import type { IncomingMessage, ServerResponse } from 'node:http';

export function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  const all: Record<string, string | number> = { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers };
  if (!req.complete) all.connection = 'close';
  res.writeHead(status, all);
  res.end(text);
}

/** Retry-After in whole seconds (at least 1) for a wait in milliseconds. */
export function retryAfterSeconds(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1000)));
}
