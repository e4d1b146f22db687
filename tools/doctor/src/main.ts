// `mesh` CLI entry: see cli.ts and README.md.
import { main } from './cli.js';

process.exitCode = await main(process.argv.slice(2), process.env, {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
  color: process.stdout.isTTY === true && !process.env.NO_COLOR,
});
