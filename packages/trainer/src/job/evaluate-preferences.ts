import { type Backend, loadCausalLM, parseOrThrow, UserError } from '@tunekit/core';
import { z } from 'zod';
import type { BatchPlan, LoadSftDataDeps, SftDataConfig } from '../data/index.js';
import {
  dpoFields,
  dpoSettings,
  loadPreferenceData,
  PreferenceEvaluator,
  referenceLogps,
} from '../dpo/index.js';
import { KtoEvaluator, ktoFields, ktoSettings, loadUnpairedData } from '../kto/index.js';
import type { EvaluateModelOptions, EvaluateModelResult } from './evaluate-model.js';
import { openInferenceBackend } from './inference-backend.js';
import type { InferenceModel } from './inference-model.js';

/** What scoring one preference trainer's eval data takes. */
interface PreferenceScoring {
  /** The eval batches, with precomputed reference log-probs when given. */
  readonly batches: (reference?: Float64Array) => BatchPlan | undefined;
  /** Eval pairs (DPO) or examples (KTO). */
  readonly count: number;
  readonly referenceFree: boolean;
  /** The trainer's evaluator; `precomputed`: the batches carry the reference log-probs. */
  evaluator(
    backend: Backend,
    precomputed: boolean,
  ): {
    evaluate(batches: BatchPlan, count: number): Promise<Record<string, number>>;
    dispose(): void;
  };
}

/** How each preference trainer's eval data is loaded and scored, with its run's settings. */
const SCORINGS = {
  async dpo(config, dataConfig, deps, loaded) {
    const settings = dpoSettings(
      parseOrThrow(z.object(dpoFields), config, 'the training record’s DPO settings'),
    );
    const data = await loadPreferenceData(dataConfig, settings, deps);
    return {
      batches: data.eval,
      count: data.evalPairs.length,
      referenceFree: settings.reference_free,
      evaluator: (backend, precomputed) =>
        new PreferenceEvaluator({
          ...loaded,
          backend,
          settings: { ...settings, precompute_ref_log_probs: precomputed },
        }),
    };
  },
  async kto(config, dataConfig, deps, loaded) {
    const settings = ktoSettings(
      parseOrThrow(
        z.object({ ...dpoFields, ...ktoFields }),
        config,
        'the training record’s KTO settings',
      ),
    );
    const data = await loadUnpairedData(dataConfig, settings, deps);
    return {
      batches: data.eval,
      count: data.evalExamples.length,
      referenceFree: false,
      evaluator: (backend, precomputed) =>
        new KtoEvaluator({
          ...loaded,
          backend,
          settings: { ...settings, precompute_ref_log_probs: precomputed },
        }),
    };
  },
} satisfies Record<
  'dpo' | 'kto',
  (
    config: Readonly<Record<string, unknown>>,
    dataConfig: SftDataConfig,
    deps: LoadSftDataDeps,
    loaded: Pick<InferenceModel, 'model' | 'peft'>,
  ) => Promise<PreferenceScoring>
>;

/**
 * `tunekit eval` of a DPO or KTO run (its training record says trainer: dpo or kto): the loss and
 * TRL's rewards/*, logps/* (and KTO's kl) on the data file's pairs or examples, with the run's
 * DPOConfig or KTOConfig keys. The reference is the base with the adapter disabled; a fully
 * fine-tuned model is compared with the base model it was trained from (the record's
 * base_model_folder), loaded for one pass.
 */
export async function evaluatePreferences(
  opts: EvaluateModelOptions & {
    readonly loaded: InferenceModel;
    readonly dataConfig: SftDataConfig;
    readonly template: string;
    readonly trainer: keyof typeof SCORINGS;
  },
): Promise<EvaluateModelResult> {
  const { loaded, container } = opts;
  const { model, peft, record } = loaded;
  const scoring = await SCORINGS[opts.trainer](
    record?.config ?? {},
    opts.dataConfig,
    { container, tokenizer: loaded.tokenizer, tokenizerDir: loaded.tokenizerDir },
    { model, peft },
  );
  const backend = await openInferenceBackend(container, opts, record);
  try {
    let reference: Float64Array | undefined;
    if (!peft && !scoring.referenceFree) {
      const base = record?.base_model_folder;
      if (base === undefined)
        throw new UserError(
          `${opts.model}: a ${opts.trainer.toUpperCase()} model without an adapter is compared with its base model, but its training record names none`,
        );
      const { model: baseModel } = await loadCausalLM(base, { families: container });
      reference = await referenceLogps({
        model: baseModel,
        backend,
        batches: scoring.batches() as BatchPlan,
        pairs: scoring.count,
      });
    }
    const evaluator = scoring.evaluator(backend, reference !== undefined);
    try {
      const metrics = await evaluator.evaluate(
        scoring.batches(reference) as BatchPlan,
        scoring.count,
      );
      return {
        metrics,
        samples: [],
        examples: scoring.count,
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
