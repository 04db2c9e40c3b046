import { loadCausalLM, parseOrThrow, UserError } from '@tunekit/core';
import { z } from 'zod';
import type { BatchPlan, SftDataConfig } from '../data/index.js';
import {
  dpoFields,
  dpoSettings,
  loadPreferenceData,
  PreferenceEvaluator,
  referenceLogps,
} from '../dpo/index.js';
import type { EvaluateModelOptions, EvaluateModelResult } from './evaluate-model.js';
import { openInferenceBackend } from './inference-backend.js';
import type { InferenceModel } from './inference-model.js';

/**
 * `tunekit eval` of a DPO run (its training record says trainer: dpo): the DPO loss and TRL's
 * rewards/* and logps/* on the preference pairs of the data file, with the run's DPOConfig keys.
 * The reference is the base with the adapter disabled; a fully fine-tuned model is compared with
 * the base model it was trained from (the record's base_model_folder), loaded for one pass.
 */
export async function evaluatePreferences(
  opts: EvaluateModelOptions & {
    readonly loaded: InferenceModel;
    readonly dataConfig: SftDataConfig;
    readonly template: string;
  },
): Promise<EvaluateModelResult> {
  const { loaded, container } = opts;
  const { model, peft, record } = loaded;
  const settings = dpoSettings(
    parseOrThrow(z.object(dpoFields), record?.config ?? {}, 'the training record’s DPO settings'),
  );
  const data = await loadPreferenceData(opts.dataConfig, settings, {
    container,
    tokenizer: loaded.tokenizer,
    tokenizerDir: loaded.tokenizerDir,
  });
  const backend = await openInferenceBackend(container, opts, record);
  try {
    let reference: Float64Array | undefined;
    if (!peft && !settings.reference_free) {
      const base = record?.base_model_folder;
      if (base === undefined)
        throw new UserError(
          `${opts.model}: a DPO model without an adapter is compared with its base model, but its training record names none`,
        );
      const { model: baseModel } = await loadCausalLM(base, { families: container });
      reference = await referenceLogps({
        model: baseModel,
        backend,
        batches: data.eval() as BatchPlan,
        pairs: data.evalPairs.length,
      });
    }
    const evaluator = new PreferenceEvaluator({
      model,
      backend,
      peft,
      settings: { ...settings, precompute_ref_log_probs: reference !== undefined },
    });
    try {
      const metrics = await evaluator.evaluate(
        data.eval(reference) as BatchPlan,
        data.evalPairs.length,
      );
      return {
        metrics,
        samples: [],
        examples: data.evalPairs.length,
        template: opts.template,
        leftOut: [],
      };
    } finally {
      evaluator.dispose();
    }
  } finally {
    await backend.dispose();
  }
}
