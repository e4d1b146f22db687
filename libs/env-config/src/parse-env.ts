// Start-up configuration from the environment, validated against a schema: a bad value fails
// fast with the variable's name and what was expected, before anything connects.
import { z } from 'zod';

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Parses `env` with a schema whose keys are the environment variable names. */
export function parseEnv<S extends z.ZodRawShape>(shape: S, env: NodeJS.ProcessEnv = process.env): z.infer<z.ZodObject<S>> {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(shape)) {
    const value = env[key];
    input[key] = value === undefined || value.trim() === '' ? undefined : value.trim();
  }
  const result = z.object(shape).safeParse(input);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const name = issue.path.join('.');
      const got = input[String(issue.path[0])];
      const shown = got === undefined ? 'nothing' : isSecretName(name) ? '(hidden)' : JSON.stringify(got);
      return `${name}: ${issue.message} (got ${shown})`;
    }),
  );
}

function isSecretName(name: string): boolean {
  return /SECRET|TOKEN|PASSWORD|HEADERS/.test(name); // OTLP header lists carry API keys
}
