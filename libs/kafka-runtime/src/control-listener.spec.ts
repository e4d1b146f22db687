import type { Consumer } from '@ingest-mesh/kafka-client';
import { newCommand, ReplayGuard, signCommand, type ControlCodec, type ControlCommand } from '@ingest-mesh/control';
import { describe, expect, it } from 'vitest';
import { ControlListener, type ControlListenerOptions } from './control-listener.js';

const SECRET = 's'.repeat(40);

// The codec is the only I/O of judge(): a fake hands back the command the test built.
function listener(cmd: ControlCommand, extra: Partial<ControlListenerOptions> = {}) {
  const applied: ControlCommand[] = [];
  const codec = { decode: async () => cmd } as unknown as ControlCodec;
  const l = new ControlListener({
    consumer: {} as Consumer,
    topic: 'mesh.control',
    codec,
    secrets: [SECRET],
    app: 'dlq-redriver',
    replayGuard: new ReplayGuard(),
    apply: async (c) => {
      applied.push(c);
      return true;
    },
    report: () => undefined,
    ...extra,
  });
  return { l, applied };
}

describe('ControlListener scopes', () => {
  const redrive = signCommand(newCommand({ type: 'redrive', target: { tenant: 'acme' }, issuedBy: 'op' }), SECRET);

  it('ignores dlq commands for an app that handles only runtime commands', async () => {
    const { l, applied } = listener(redrive);
    expect((await l.judge(Buffer.from('x'))).status).toBe('ignored');
    expect(applied).toEqual([]);
  });

  it('applies dlq commands for an app that declares the dlq scope', async () => {
    const { l, applied } = listener(redrive, { handles: ['runtime', 'dlq'] });
    expect((await l.judge(Buffer.from('x'))).status).toBe('applied');
    expect(applied.map((c) => c.id)).toEqual([redrive.id]);
  });

  it('still rejects a forged dlq command', async () => {
    const forged = signCommand(newCommand({ type: 'purge', issuedBy: 'op' }), 'f'.repeat(40));
    const { l, applied } = listener(forged, { handles: ['runtime', 'dlq'] });
    expect(await l.judge(Buffer.from('x'))).toMatchObject({ status: 'rejected', reason: 'bad-signature' });
    expect(applied).toEqual([]);
  });
});
