import type { ChatMessage } from '@tunekit/core';

// The fixed conversations of the golden tests.

export const SYSTEM = 'You are a helpful assistant.';

/** A system message, one question, one answer. */
export const withSystem: ChatMessage[] = [
  { role: 'system', content: SYSTEM },
  { role: 'user', content: 'What is 2+2?' },
  { role: 'assistant', content: '4' },
];

/** One question, one answer. */
export const noSystem: ChatMessage[] = [
  { role: 'user', content: 'Hello' },
  { role: 'assistant', content: 'Hi there!' },
];

/** Two exchanges, the second answer spanning lines. */
export const multiTurn: ChatMessage[] = [
  { role: 'user', content: 'Name a colour.' },
  { role: 'assistant', content: 'Blue.' },
  { role: 'user', content: 'Another?' },
  { role: 'assistant', content: 'Red.\nOr green.' },
];

/** A prompt that asks the model to answer (add_generation_prompt). */
export const prompt: ChatMessage[] = [{ role: 'user', content: 'Hi' }];

/** A tool the tools conversation offers (JSON-schema function definition). */
export const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Get the current weather for a city.',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
    },
  },
} as const;

/** A question for which the model may call a tool. */
export const toolsQuestion: ChatMessage[] = [
  { role: 'user', content: 'Weather in Paris?' },
  { role: 'assistant', content: '{"name": "get_weather", "arguments": {"city": "Paris"}}' },
];

/** The system message that describes `weatherTool` to a template without tool support. */
export const TOOLS_SYSTEM =
  'You can call the tools below. To call one, reply with only a JSON object of the form {"name": <tool name>, "arguments": <arguments object>}.\n' +
  '- get_weather: Get the current weather for a city.\n' +
  '  arguments (JSON schema): {"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}';
