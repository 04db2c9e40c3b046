export { type Lineage, lineage, lineageText } from './lineage.js';
