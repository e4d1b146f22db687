export {
  FieldPathError,
  formatFieldPath,
  namesManyValues,
  parseFieldPath,
  parseSingleValuePath,
  resolveFieldPath,
  valueAt,
  type PathSegment,
  type ResolvedValue,
} from './field-path.js';
