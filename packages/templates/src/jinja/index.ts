export { compileJinja } from './compile-jinja.js';
export { hasGenerationBlocks } from './generation-blocks.js';
export {
  createJinjaTemplate,
  type JinjaTemplateOptions,
  jinja,
  renderChatTemplate,
  renderChatText,
} from './jinja-template.js';
export { assistantSpans } from './marker-spans.js';
export type { RenderConversation, SpanOptions } from './prefix-spans.js';
export { renderText } from './render-text.js';
export { type SelectedTemplate, selectChatTemplate } from './select-chat-template.js';
export { SpanError } from './span-error.js';
export { isTemplateFile, readTemplateFile, type TemplateFile } from './template-file.js';
