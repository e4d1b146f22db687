// The `timestamp-millis` logical type, kept as epoch milliseconds (a JS number) in decoded
// values so they stay plain JSON; a Date is accepted when encoding. Registering it (rather
// than letting avsc ignore the annotation) is what lets fromJson recognise the field.
import avsc from 'avsc';

type AvroType = avsc.Type;

export const TIMESTAMP_MILLIS = 'timestamp-millis';

export class TimestampMillisType extends avsc.types.LogicalType {
  protected override _fromValue(val: unknown): unknown {
    return val;
  }

  protected override _toValue(any: unknown): unknown {
    if (any instanceof Date) return any.getTime();
    return any;
  }

  protected override _resolve(type: AvroType): unknown {
    // Writers of the same logical type, or of a plain long/int (promotion), are readable as is.
    if (avsc.Type.isType(type, 'long', 'int', `logical:${TIMESTAMP_MILLIS}`)) return (val: unknown) => val;
    return undefined;
  }
}

export function isTimestampMillis(type: AvroType): boolean {
  return type.typeName === `logical:${TIMESTAMP_MILLIS}`;
}
