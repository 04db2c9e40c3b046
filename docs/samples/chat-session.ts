import { plugin as onnx } from '@tunekit/backend-onnx';
import { corePlugins, createContainer } from '@tunekit/core';
import { plugin as lora } from '@tunekit/peft-lora';
import { plugin as templates } from '@tunekit/templates';
import { openChatSession, plugin as trainer } from '@tunekit/trainer';

/** What `tunekit chat --model <modelDir> --adapter <adapterDir>` opens, asked one question. */
export async function askAdapter(modelDir: string, adapterDir: string, question: string) {
  const container = createContainer([...corePlugins, onnx, lora, templates, trainer]);
  // the template is the one the adapter was trained with; decoding keys as transformers names them
  const chat = await openChatSession({
    container,
    model: modelDir,
    adapter: adapterDir,
    generation: { max_new_tokens: 8 },
  });
  try {
    let streamed = '';
    const answer = await chat.session.reply(question, (text) => {
      streamed += text;
    });
    return { answer, streamed, template: chat.template };
  } finally {
    await chat.close();
  }
}
