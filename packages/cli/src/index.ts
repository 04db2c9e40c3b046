export { type CliStreams, runCli } from './run-cli.js';
export { trainConfigSchema } from './config/train-config.js';
export { createProgram } from './program.js';
