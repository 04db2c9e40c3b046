export { axolotlConfig } from './axolotl-config.js';
export { axolotlYaml } from './axolotl-yaml.js';
export { type ClusterJob, type ClusterJobOptions, clusterJob } from './cluster-job.js';
export { trlScript } from './trl-script.js';
