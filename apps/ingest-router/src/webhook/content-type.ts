// Which record format a Content-Type names: one JSON record, or NDJSON (one record per line).
export type RecordFormat = 'json' | 'ndjson';

const FORMATS: Readonly<Record<string, RecordFormat>> = {
  'application/json': 'json',
  'application/x-ndjson': 'ndjson',
  'application/ndjson': 'ndjson',
};

export const ACCEPTED_CONTENT_TYPES = Object.keys(FORMATS);

/** The format, or undefined for any other media type or a charset other than UTF-8. */
export function recordFormat(contentType: string | undefined): RecordFormat | undefined {
  if (contentType === undefined) return undefined;
  const [media = '', ...params] = contentType.split(';');
  const format = FORMATS[media.trim().toLowerCase()];
  if (!format) return undefined;
  for (const param of params) {
    const [name = '', value = ''] = param.split('=');
    if (name.trim().toLowerCase() !== 'charset') continue;
    const charset = value
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8') return undefined;
  }
  return format;
}
