// Reading a config file: `.json` (any case) as JSON, anything else as YAML.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

/** The file could not be read or parsed. `problem` is the message without the file name. */
export class ConfigFileError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
    options?: ErrorOptions,
  ) {
    super(`${file}: ${problem}`, options);
    this.name = 'ConfigFileError';
  }
}

/** `'JSON'` for `.json` files (any case), `'YAML'` for everything else. */
export function configFileFormat(file: string): 'JSON' | 'YAML' {
  return path.extname(file).toLowerCase() === '.json' ? 'JSON' : 'YAML';
}

/**
 * Reads and parses the file, without validating it. Throws `ConfigFileError` with problem
 * `cannot read the file: …`, `not valid JSON: …` or `not valid YAML: …` (first line of the parser's message).
 */
export async function readConfigFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigFileError(file, `cannot read the file: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const format = configFileFormat(file);
  try {
    return format === 'JSON' ? JSON.parse(text) : parseYaml(text, { prettyErrors: true });
  } catch (err) {
    throw new ConfigFileError(file, `not valid ${format}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`, { cause: err });
  }
}
