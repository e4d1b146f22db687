import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTROL_COMMAND_TYPES, UNKNOWN_COMMAND_TYPE } from './command.js';
import { CONTROL_COMMAND_SCHEMA } from './schema.js';

const avscPath = path.resolve(import.meta.dirname, '../../../schemas/mesh/ControlCommand.avsc');

describe('ControlCommand schema', () => {
  it('embeds exactly schemas/mesh/ControlCommand.avsc', () => {
    expect(CONTROL_COMMAND_SCHEMA).toEqual(JSON.parse(readFileSync(avscPath, 'utf8')));
  });

  it('lists exactly the command types of the TypeScript API, after the UNKNOWN default', () => {
    const typeField = CONTROL_COMMAND_SCHEMA.fields.find((f) => f.name === 'type');
    expect(typeField?.type).toMatchObject({
      type: 'enum',
      name: 'ControlCommandType',
      default: UNKNOWN_COMMAND_TYPE,
      symbols: [UNKNOWN_COMMAND_TYPE, ...CONTROL_COMMAND_TYPES],
    });
  });
});
