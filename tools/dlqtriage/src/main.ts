// Entry point: `dlqtriage <command> [options]`; the exit code is the contract (exit-codes.ts).
import { runCli } from './cli.js';

const code = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  isTTY: process.stderr.isTTY === true,
});
process.exitCode = code;
