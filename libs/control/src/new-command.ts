// Builds an unsigned command with a fresh id and validity window, for CLIs and tests.
import { randomUUID } from 'node:crypto';
import type { ControlCommandType, ControlTarget, UnsignedCommand } from './command.js';
import { assertUnsignedCommand } from './shape.js';

export const DEFAULT_COMMAND_TTL_MS = 15 * 60 * 1000;

export interface NewCommandInput {
  type: ControlCommandType;
  target?: Partial<ControlTarget>;
  args?: Record<string, string>;
  issuedBy: string;
  /** How long the command stays valid; default 15 minutes. */
  ttlMs?: number;
  now?: Date;
  id?: string;
}

export function newCommand(input: NewCommandInput): UnsignedCommand {
  const issuedAt = (input.now ?? new Date()).getTime();
  return assertUnsignedCommand({
    id: input.id ?? randomUUID(),
    type: input.type,
    target: { app: input.target?.app ?? null, tenant: input.target?.tenant ?? null, reason: input.target?.reason ?? null },
    args: input.args ?? {},
    issuedBy: input.issuedBy,
    issuedAt,
    expiresAt: issuedAt + (input.ttlMs ?? DEFAULT_COMMAND_TTL_MS),
  });
}
