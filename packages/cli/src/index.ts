export { trainConfigSchema } from './config/train-config.js';
export { createProgram } from './program.js';
export { type CliStreams, runCli } from './run-cli.js';
