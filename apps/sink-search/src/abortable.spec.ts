import { describe, expect, it } from 'vitest';
import { abortable } from './abortable.js';

describe('abortable', () => {
  it('answers with the request when no signal aborts', async () => {
    expect(await abortable(Promise.resolve(7), new AbortController().signal)).toBe(7);
    expect(await abortable(Promise.resolve(8), undefined)).toBe(8);
  });

  it('stops waiting at once when the signal aborts, with its reason', async () => {
    const ac = new AbortController();
    const never = new Promise<number>(() => undefined);
    const waiting = abortable(never, ac.signal);
    ac.abort(new Error('shutting down'));
    await expect(waiting).rejects.toThrow('shutting down');
  });

  it('refuses to start on an aborted signal', async () => {
    const ac = new AbortController();
    ac.abort(new Error('already'));
    await expect(abortable(Promise.resolve(1), ac.signal)).rejects.toThrow('already');
  });

  it('swallows the late failure of a request it stopped waiting for (no unhandled rejection)', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown) => unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    try {
      const ac = new AbortController();
      let fail!: (err: Error) => void;
      const request = new Promise<number>((_, reject) => (fail = reject));
      const waiting = abortable(request, ac.signal);
      ac.abort(new Error('stop'));
      await expect(waiting).rejects.toThrow('stop');
      fail(new Error('the engine went away'));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
