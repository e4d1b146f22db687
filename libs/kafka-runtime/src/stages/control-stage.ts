// Stage "control": signed commands on mesh.control, read by a group of this instance's own
// (every instance sees every command). Runtime commands (drain, resume, pause, brownout) act on
// the backpressure state; the app's scopes (dlq, replay) reach its onControl.
import type { Consumer } from '@ingest-mesh/kafka-client';
import { ControlCodec, ReplayGuard, type CommandScope, type ControlCommand } from '@ingest-mesh/control';
import type { RuntimeEnv } from '../config.js';
import { ControlListener, type ControlVerdict } from '../control-listener.js';
import type { AdminAction } from '../http-server.js';
import type { Clients } from './clients.js';
import type { FlowControl } from './flow-control.js';

export type RuntimeAction = AdminAction | { type: string; sampleRate?: number };

/** Applies a runtime action to the backpressure state; false when it is not a runtime action. */
export function runtimeActions(flow: FlowControl): (action: RuntimeAction) => boolean {
  return (action) => {
    switch (action.type) {
      case 'drain':
      case 'resume':
      case 'pause':
        flow.backpressure.apply({ type: action.type });
        return true;
      case 'brownout':
        flow.backpressure.apply({ type: 'brownout', sampleRate: action.sampleRate ?? 0.5 });
        return true;
      default:
        return false;
    }
  };
}

export interface ControlStageOptions {
  app: string;
  env: RuntimeEnv;
  groupId: string;
  scopes: readonly CommandScope[];
  act(action: RuntimeAction): boolean;
  onControl?: ((command: ControlCommand) => Promise<boolean>) | undefined;
}

export interface ControlStage {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createControlStage(opts: ControlStageOptions, clients: Clients): ControlStage {
  const { env } = opts;
  const { logger, events } = clients;
  const consumer: Consumer = clients.kafka.consumer({
    groupId: `${opts.groupId}.control.${clients.instanceId}`,
    maxWaitTimeInMs: 500,
  });
  const report = (verdict: ControlVerdict) => {
    if (verdict.status === 'rejected') {
      logger.warn(
        { reason: verdict.reason, commandId: verdict.command?.id, issuedBy: verdict.command?.issuedBy },
        `control command rejected: ${verdict.message}`,
      );
      void events.publish('control.rejected', { reason: verdict.reason, message: verdict.message, commandId: verdict.command?.id ?? null });
    } else if (verdict.status === 'applied') {
      logger.info({ type: verdict.command.type, commandId: verdict.command.id, issuedBy: verdict.command.issuedBy }, 'control command applied');
      void events.publish('control.applied', { type: verdict.command.type, commandId: verdict.command.id, issuedBy: verdict.command.issuedBy });
    }
  };
  const listener = new ControlListener({
    consumer,
    topic: env.MESH_CONTROL_TOPIC,
    codec: new ControlCodec(clients.registry),
    secrets: [env.MESH_CONTROL_SECRET, ...(env.MESH_CONTROL_SECRET_PREVIOUS ? [env.MESH_CONTROL_SECRET_PREVIOUS] : [])],
    app: opts.app,
    handles: ['runtime', ...opts.scopes],
    replayGuard: new ReplayGuard(),
    apply: async (cmd) => {
      const sampleRate = cmd.args['sampleRate'] === undefined ? undefined : Number(cmd.args['sampleRate']);
      if (opts.act({ type: cmd.type, ...(sampleRate === undefined ? {} : { sampleRate }) })) return true;
      return opts.onControl ? opts.onControl(cmd) : false;
    },
    report,
  });
  return {
    start: async () => {
      await consumer.connect();
      await listener.start();
    },
    stop: () => consumer.disconnect(),
  };
}
