export { cohenKappa } from './cohen-kappa.js';
export { krippendorffAlpha } from './krippendorff-alpha.js';
