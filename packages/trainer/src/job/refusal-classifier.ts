import { UserError } from '@tunekit/core';
import type { RefusalDetector } from '../behaviour/index.js';
import { openTextClassifier, type TextClassifierOptions } from './text-classifier.js';

/** The label of a refusal classifier's refusal class, unless named otherwise. */
export const DEFAULT_REFUSAL_LABEL = 'refusal';

/** A refusal detector that holds a loaded model until disposed. */
export interface LoadedRefusalDetector extends RefusalDetector {
  dispose(): Promise<void>;
}

/**
 * A trained classification head as a RefusalDetector: a SEQ_CLS adapter whose labels include
 * `label` classifies each response (in batches through `judgeAll`); the response is a refusal
 * when that label has the highest probability. Its id names the adapter.
 */
export async function openRefusalClassifier(
  options: TextClassifierOptions & { readonly label?: string },
): Promise<LoadedRefusalDetector> {
  const label = options.label ?? DEFAULT_REFUSAL_LABEL;
  const classifier = await openTextClassifier(options);
  if (!classifier.labels.includes(label)) {
    await classifier.dispose();
    throw new UserError(
      `${options.adapter}: the classifier's labels are ${classifier.labels.join(', ')}; none is '${label}' (name the refusal class with --refusal-label)`,
    );
  }
  const judgeAll = async (responses: readonly string[]) =>
    (await classifier.classify(responses)).map((c) => c.label === label);
  return {
    id: `classifier ${options.adapter} (${label})`,
    judgeAll,
    isRefusal: async (response) => (await judgeAll([response]))[0],
    dispose: () => classifier.dispose(),
  };
}
