import { runCli } from './run-cli.js';

// exitCode rather than process.exit(), so output still buffered in a pipe is written out.
process.exitCode = await runCli(process.argv);
