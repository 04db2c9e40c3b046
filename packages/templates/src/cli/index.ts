export { listTemplates } from './list-templates.js';
export { type RenderExamplesOptions, renderExamples } from './render-examples.js';
