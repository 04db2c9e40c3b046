export {
  type Annotations,
  annotatorAgreement,
  type LabelAgreement,
  readAnnotations,
} from './annotator-agreement.js';
export { cohenKappa } from './cohen-kappa.js';
export { krippendorffAlpha } from './krippendorff-alpha.js';
