import { resolve } from 'node:path';
import {
  type CausalLM,
  createRunContainer,
  type Logger,
  loadCausalLM,
  PeftModel,
  readGenerationConfigFile,
  readHfConfig,
  resolveAllOf,
  resolveBackend,
  resolveById,
  TOKENS,
  Tokenizer,
  trainableParametersLine,
} from '@tunekit/core';
import {
  claimOutputDir,
  Evaluator,
  loadSftData,
  type OutputDirClaim,
  parseTrainingArguments,
  pickTrainingArguments,
  REPORT_FILE,
  Trainer,
} from '@tunekit/trainer';
import type { DependencyContainer } from 'tsyringe';
import type { PeftSection } from '../config/peft-section.js';
import type { TrainConfig } from '../config/train-config.js';
import { evalGeneration, noteCutAnswersOnce } from '../eval-generation.js';
import { resolveModelFolder } from '../model-folder.js';
import { packageVersion } from '../package-version.js';
import { dataRecord, TRAINING_RECORD_FILE, writeTrainingRecord } from '../training-record.js';
import { BeforeAfterCallback, describeEvaluation, describeSamples } from './before-after.js';
import { SAVED_FILES, saveTrained } from './save-trained.js';

export interface TrainingRunOptions {
  /** The config file's folder: relative model and data paths start there. */
  readonly configDir: string;
  /** The config file, as errors about its keys name it. */
  readonly configFile: string;
  /** The container with core's, the first-party and the config's plugins. */
  readonly container: DependencyContainer;
  readonly print: (line: string) => void;
  readonly warn: (line: string) => void;
}

/**
 * One `tunekit train` run. output_dir is checked, locked and cleared first, before anything is
 * loaded (a second run into it, or a folder holding an earlier run, is refused at once), and
 * stays locked until the adapter and training record are saved.
 */
export async function runTraining(config: TrainConfig, opts: TrainingRunOptions): Promise<void> {
  const claim = await claimOutputDir(config, {
    outputs: [...SAVED_FILES, TRAINING_RECORD_FILE],
    warn: (message) => opts.warn(`warning: ${message}`),
  });
  try {
    await trainClaimed(config, opts, claim);
  } finally {
    await claim.release();
  }
}

/**
 * The run in a claimed output_dir: the model and its tokenizer, the PEFT adapter (or full fine-tuning),
 * the data through the chat template, the Trainer with the registered callbacks and an evaluation
 * before and after, then the adapter (or model) with its chat template and training record.
 */
async function trainClaimed(
  config: TrainConfig,
  opts: TrainingRunOptions,
  claim: OutputDirClaim,
): Promise<void> {
  const { print } = opts;
  const backend = await resolveBackend(opts.container, config.backend);
  const logger: Logger = { info: print, warn: (message) => opts.warn(`warning: ${message}`) };
  // the run's container: its callbacks read their settings from the config (disable_tqdm...)
  const run = createRunContainer(opts.container, { backend, config, logger });
  try {
    const folder = await resolveModelFolder(config.model, opts.configDir, opts.configFile);
    const hfConfig = await readHfConfig(folder);
    const modelType = typeof hfConfig.model_type === 'string' ? hfConfig.model_type : undefined;
    const tokenizer = await Tokenizer.fromFolder(folder);
    const { model } = await loadCausalLM(folder, {
      families: run,
      allowNonfinite: config.allow_nonfinite,
      warn: logger.warn,
    });
    print(`model: ${folder} (${modelType ?? 'unknown type'}) on backend ${backend.id}`);
    let peft: PeftModel | undefined;
    if (config.peft) {
      peft = addAdapter(run, model, config.peft, { seed: config.seed, modelType });
      const { trainable, all } = peft.parameterCounts();
      print(`peft: ${config.peft.method}: ${trainableParametersLine(trainable, all)}`);
    } else {
      print('full fine-tuning: every parameter trains');
    }

    const data = await loadSftData(config, {
      container: run,
      tokenizer,
      baseDir: opts.configDir,
      tokenizerDir: folder,
    });
    const { stats } = data;
    print(
      `data: ${stats.examples} training examples (${stats.sources.map((s) => s.format).join(', ')}), ` +
        `${stats.evalExamples} eval examples, template ${data.template.id}, fingerprint ${stats.fingerprint.slice(0, 12)}`,
    );
    for (const line of stats.warnings) logger.warn(line);

    const evalBatches = data.eval;
    const evaluator =
      evalBatches &&
      new Evaluator({
        model,
        backend,
        tokenizer,
        generation: evalGeneration(
          config.generation,
          config.per_device_eval_batch_size,
          (await readGenerationConfigFile(folder)) ?? {},
        ),
        metrics: resolveAllOf(run, TOKENS.Metric),
      });
    if (!evaluator)
      logger.warn(
        'no eval data (set eval: or eval_split:), so nothing is measured before and after',
      );
    const beforeAfter = new BeforeAfterCallback();
    const trainer = new Trainer({
      backend,
      model,
      peft,
      args: parseTrainingArguments(pickTrainingArguments(config), 'training arguments'),
      trainData: (epoch) => data.train(epoch),
      evaluate:
        evaluator &&
        noteCutAnswersOnce(
          () => evaluator.evaluate(evalBatches, data.evalPrompts),
          { maxNewTokens: config.generation.max_new_tokens, positions: model.shape.maxPositions },
          opts.warn,
        ),
      callbacks: [...resolveAllOf(run, TOKENS.TrainerCallback), beforeAfter],
      identity: { model: config.model, peft: config.peft ?? null, data: stats.fingerprint },
      outputDirClaim: claim,
      warn: logger.warn,
    });
    const result = await trainer.train().finally(() => evaluator?.dispose());

    const outputDir = resolve(config.output_dir);
    const files = await saveTrained({
      dir: outputDir,
      model,
      peft,
      baseFolder: folder,
      baseModel: config.model,
      template: data.template,
    });
    await writeTrainingRecord(outputDir, {
      tunekit_version: packageVersion(),
      created_at: new Date().toISOString(),
      base_model: config.model,
      base_model_folder: folder,
      data_fingerprint: stats.fingerprint,
      template: { id: data.template.id, sha256: data.template.sha256 },
      data: dataRecord(stats),
      config,
      global_step: result.globalStep,
      metrics: {
        before: beforeAfter.first?.metrics,
        after: beforeAfter.last?.metrics,
        train: result.metrics,
      },
    });

    const { first, last } = beforeAfter;
    if (first && last && first !== last) {
      print(`eval before training (step ${first.step}): ${describeEvaluation(first.metrics)}`);
      print(`eval after training (step ${last.step}):  ${describeEvaluation(last.metrics)}`);
      const samples = describeSamples(first.samples, last.samples);
      if (samples.length > 0) print(['sample generations:', ...samples].join('\n'));
    } else if (last) {
      print(`eval (step ${last.step}): ${describeEvaluation(last.metrics)}`);
    }
    print(
      `${peft ? 'adapter' : 'model'}: ${outputDir} (${[...files, 'training_record.json'].join(', ')})`,
    );
    print(`report: ${resolve(outputDir, REPORT_FILE)}`);
  } finally {
    await run.dispose();
  }
}

/** The config's PEFT method, resolved by id, applied to `model` with the rest of its section. */
function addAdapter(
  container: DependencyContainer,
  model: CausalLM,
  section: PeftSection,
  opts: { readonly seed: number; readonly modelType?: string },
): PeftModel {
  const { method: id, ...config } = section;
  const method = resolveById(container, TOKENS.PeftMethod, id, 'peft method');
  return PeftModel.create(model, method, config, {
    dispatchers: resolveAllOf(container, TOKENS.LinearDispatcher),
    ...opts,
  });
}
