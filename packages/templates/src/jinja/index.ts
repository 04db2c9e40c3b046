export { compileJinja } from './compile-jinja.js';
export { hasGenerationBlocks } from './generation-blocks.js';
export {
  createJinjaTemplate,
  type JinjaTemplateOptions,
  jinja,
  renderChatTemplate,
} from './jinja-template.js';
export { assistantSpansByPrefixes, type RenderConversation } from './prefix-spans.js';
export { type SelectedTemplate, selectChatTemplate } from './select-chat-template.js';
export { isTemplateFile, readTemplateFile, type TemplateFile } from './template-file.js';
