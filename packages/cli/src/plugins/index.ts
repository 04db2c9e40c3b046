export { loadFolderPlugins } from './folder-plugins.js';
export { findPlugins, importPlugins, loadPlugins } from './load-plugins.js';
export { pluginOption } from './plugin-option.js';
export {
  configPlugins,
  flagPlugins,
  type PluginSource,
  recordPlugins,
} from './plugin-sources.js';
