export { axolotlConfig } from './axolotl-config.js';
export { type ClusterJob, type ClusterJobOptions, clusterJob } from './cluster-job.js';
export { trlScript } from './trl-script.js';
