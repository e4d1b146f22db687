import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactSecretsInText, redactUrl } from './redact-url.js';

describe('redactUrl', () => {
  it.each([
    ['postgres://mesh:s3cret@127.0.0.1:5432/mesh', 'postgres://mesh:***@127.0.0.1:5432/mesh'],
    ['redis://:hunter2@127.0.0.1:6379/0', 'redis://:***@127.0.0.1:6379/0'],
    ['postgres://u:p@ss@db/mesh', 'postgres://u:***@db/mesh'],
    ['https://api.example.com/x?token=abc123&page=2', 'https://api.example.com/x?token=***&page=2'],
    ['postgres://db/mesh?sslpassword=k3y&password=pw', 'postgres://db/mesh?sslpassword=***&password=***'],
    ['http://h/x?api_key=K&access_token=T#frag', 'http://h/x?api_key=***&access_token=***#frag'],
  ])('%s -> %s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });

  it.each(['postgres://mesh@127.0.0.1:5432/mesh', 'http://127.0.0.1:8081/apis/ccompat/v7', 'http://host:8080/path@segment', '127.0.0.1:9092'])(
    'leaves %s unchanged (no credential in it)',
    (input) => {
      expect(redactUrl(input)).toBe(input);
    },
  );

  it('is idempotent', () => {
    const once = redactUrl('postgres://mesh:s3cret@db/mesh?token=t');
    expect(redactUrl(once)).toBe(once);
  });

  it('never lets a password through, whatever its characters (URL-encoded as a client would)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/), (raw, user) => {
        const password = `Pw${encodeURIComponent(raw)}`;
        const url = `postgres://${user}:${password}@db.internal:5432/mesh`;
        const out = redactUrl(url);
        expect(out).toBe(`postgres://${user}:***@db.internal:5432/mesh`);
        expect(out).not.toContain(password);
      }),
    );
  });
});

describe('redactSecretsInText', () => {
  it('cleans every URL embedded in free text and in JSON', () => {
    const text = JSON.stringify({
      msg: 'connect to postgres://a:one@h1/db failed, fallback redis://:two@h2:6379',
      err: { stack: 'Error: x\n at amqp://b:th\\"ree@h3/' },
    });
    const out = redactSecretsInText(text);
    expect(out).not.toMatch(/one|two|th.*ree/);
    expect(JSON.parse(out).msg).toBe('connect to postgres://a:***@h1/db failed, fallback redis://:***@h2:6379');
  });
});
