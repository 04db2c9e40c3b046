import { Option } from 'commander';
import { collect } from '../option-parsers.js';

/**
 * `--plugin <name|path>`, the same on every command: a plugin package to load, by its name
 * (installed in the working directory's node_modules or a parent's) or a path. `besides` says
 * which other plugins the command loads.
 */
export function pluginOption(besides: string): Option {
  return new Option(
    '--plugin <name|path>',
    `load a plugin package: its name (installed where the working directory finds it) or a path (repeatable); besides ${besides}`,
  ).argParser(collect);
}
