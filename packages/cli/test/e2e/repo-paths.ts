import { fileURLToPath } from 'node:url';

/** The repository's examples/ folder, whose configs the end-to-end tests run. */
export const examplesDir = fileURLToPath(new URL('../../../../examples/', import.meta.url));

/** The bundled default model (Llama architecture, ChatML tokenizer). */
export const bundledModel = fileURLToPath(
  new URL('../../../../models/tunekit-tiny-chat', import.meta.url),
);

/**
 * Overrides that shrink an example to a few steps for a test: a handful of steps, a few generated
 * answers, every step logged, and the output in `outputDir`.
 */
export function tinyRun(outputDir: string, steps = 4): string[] {
  return [
    `max_steps=${steps}`,
    `output_dir=${outputDir}`,
    'logging_steps=1',
    'save_steps=1000',
    'generation.num_samples=4',
  ].flatMap((assignment) => ['--set', assignment]);
}
