import { defineConfig } from 'vitepress';

// VitePress fails the build on a dead link between pages (ignoreDeadLinks stays off);
// test/links.test.ts checks the #anchors.
export default defineConfig({
  title: 'tunekit',
  description: 'Fine-tune language models in TypeScript, in Hugging Face formats.',
  srcExclude: ['README.md', 'samples/**', 'generate/**', 'test/**'],
  themeConfig: {
    nav: [
      { text: 'Getting started', link: '/getting-started' },
      { text: 'Config', link: '/reference/config' },
      { text: 'CLI', link: '/reference/cli' },
    ],
    sidebar: [
      { text: 'Getting started', link: '/getting-started' },
      {
        text: 'Concepts',
        items: [
          { text: 'Graph IR and backends', link: '/concepts/graph-and-backends' },
          { text: 'PEFT methods', link: '/concepts/peft-methods' },
          { text: 'Chat templates and loss masks', link: '/concepts/chat-templates' },
          { text: 'Data formats', link: '/concepts/data-formats' },
        ],
      },
      {
        text: 'Guides',
        items: [
          { text: 'Fine-tune a model folder', link: '/guides/hf-model-folder' },
          { text: 'Prepare training data', link: '/guides/prepare-data' },
          { text: 'Evaluate safety and conversations', link: '/guides/evaluate-behaviour' },
          { text: 'Use the model’s chat template', link: '/guides/model-chat-template' },
          { text: 'LoRA and the methods after it', link: '/guides/lora-and-after' },
          { text: 'Preference tuning with DPO', link: '/guides/dpo' },
          { text: 'Export to transformers.js', link: '/guides/export-transformers-js' },
          { text: 'Write a PEFT plugin', link: '/guides/peft-plugin' },
          { text: 'Write a backend', link: '/guides/backend' },
          { text: 'Compose a custom trainer', link: '/guides/custom-trainer' },
          { text: 'Fine-tune in a browser', link: '/guides/browser' },
          { text: 'Several adapters: composition and a router', link: '/guides/router' },
        ],
      },
      {
        text: 'Reference',
        items: [
          { text: 'Config file', link: '/reference/config' },
          { text: 'CLI', link: '/reference/cli' },
        ],
      },
      { text: 'Releasing', link: '/releasing' },
    ],
  },
});
