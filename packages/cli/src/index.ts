export { createProgram } from './program.js';
export { type CliStreams, runCli } from './run-cli.js';
