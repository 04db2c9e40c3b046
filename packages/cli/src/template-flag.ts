/** `--template`'s help, the same in every command that renders with a model's chat template. */
export const TEMPLATE_FLAG_HELP =
  "chat template: an id, a .jinja file, or a tokenizer_config.json or chat_template.json with a chat_template (default: the adapter's training template, else the model's own, else chatml)";
