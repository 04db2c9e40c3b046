import { resolve } from 'node:path';
import {
  type CausalLM,
  type Logger,
  loadCausalLM,
  MultiHeadModel,
  PeftModel,
  type PeftModelOptions,
  readHfConfig,
  resolveAllOf,
  resolveBackend,
  resolveById,
  resolveOptimizer,
  type TaskModel,
  TOKENS,
  Tokenizer,
  type TrainerCallback,
  trainableParametersLine,
} from '@tunekit/core';
import type { DependencyContainer } from 'tsyringe';
import { dpoSettings } from '../dpo/index.js';
import { ktoSettings } from '../kto/index.js';
import {
  type ComputeLoss,
  claimOutputDir,
  createTrainingRun,
  type OutputDirClaim,
  pickTrainingArguments,
  REPORT_FILE,
  ReportCallback,
  Trainer,
} from '../train/index.js';
import { addMoreAdapters, describeAdapters } from './add-more-adapters.js';
import {
  BeforeAfterCallback,
  describeEvaluation,
  describeSamples,
  type Evaluation,
} from './before-after.js';
import { resolveModelFolder } from './model-folder.js';
import { splitHeadTasks } from './multi-head-config.js';
import {
  type HeadTask,
  headSpecs,
  headsRecord,
  loadHeadTasks,
  multiHeadTraining,
} from './multi-head-training.js';
import type { PeftSection } from './peft-section.js';
import { describeQuantization, quantizationOf, quantizeOnLoad } from './quantize-on-load.js';
import { SAVED_FILES, saveTrained } from './save-trained.js';
import { openTaskHead, type TaskHead, taskHeadTraining } from './task-head.js';
import type { TrainConfig } from './train-config.js';
import { trainerVersion } from './trainer-version.js';
import { loadTrainingData } from './training-data.js';
import {
  dataRecord,
  TRAINING_RECORD_FILE,
  type TrainingRecord,
  writeTrainingRecord,
} from './training-record.js';

/** What `trainFromConfig` needs besides the config: the plugins, where paths start, sinks. */
export interface TrainFromConfigOptions {
  /** The container with core's, the first-party and the config's plugins (`createContainer`). */
  readonly container: DependencyContainer;
  /** The config's folder: relative model, data and template paths start there; default the working directory. */
  readonly configDir?: string;
  /** The config file, named by errors about its `model:` key. */
  readonly configFile?: string;
  /**
   * The plugins the training record lists, so that what loads the adapter loads them too: package
   * names, and paths made absolute (relative ones would be read from another folder there); by
   * default the config's `plugins:` as written.
   */
  readonly plugins?: readonly string[];
  /** Progress and summary lines (the progress bar's too, off a terminal); default silent. */
  readonly print?: (line: string) => void;
  /** Warnings and notes, one line each; default `console.warn`. */
  readonly warn?: (line: string) => void;
  /** Replaces the causal-LM cross-entropy (transformers' `compute_loss_func`). */
  readonly computeLoss?: ComputeLoss;
  /** The caller's own callbacks, called after the registered ones. */
  readonly callbacks?: readonly TrainerCallback[];
}

/** What `trainFromConfig` saved and measured. */
export interface TrainFromConfigResult {
  /** output_dir, absolute. */
  readonly outputDir: string;
  /** The files saved there: the adapter's (or the model's), the tokenizer's, training_record.json. */
  readonly files: readonly string[];
  readonly globalStep: number;
  /** As the training record holds them: the first and last evaluation (eval_ keys) and train_ totals. */
  readonly metrics: TrainingRecord['metrics'];
  /** The first evaluation (before the first step, with eval_on_start) and the last, with their samples. */
  readonly before?: Evaluation;
  readonly after?: Evaluation;
}

/**
 * One training job as `config` (parsed by `parseTrainConfig`) describes it, what `tunekit train`
 * runs: output_dir is checked, locked and cleared first, before anything is loaded (a second run
 * into it, or a folder holding an earlier run, is refused at once), then the model, its adapter,
 * the data and the Trainer with the registered callbacks and an evaluation before and after; the
 * adapter (or model) is saved with its chat template and training record.
 *
 * @example
 * const config = parseTrainConfig(raw, container);
 * const { outputDir, metrics } = await trainFromConfig(config, { container, configDir: 'jobs' });
 */
export async function trainFromConfig(
  config: TrainConfig,
  options: TrainFromConfigOptions,
): Promise<TrainFromConfigResult> {
  const warn = options.warn ?? ((line: string) => console.warn(line));
  const job: Job = {
    ...options,
    configDir: options.configDir ?? process.cwd(),
    print: options.print ?? (() => {}),
    warn,
    logger: {
      info: options.print ?? (() => {}),
      warn: (message) => warn(`warning: ${message}`),
    },
  };
  const claim = await claimOutputDir(config, {
    outputs: [...SAVED_FILES, TRAINING_RECORD_FILE],
    warn: job.logger.warn,
  });
  try {
    return await trainClaimed(config, job, claim);
  } finally {
    await claim.release();
  }
}

interface Job extends TrainFromConfigOptions {
  readonly configDir: string;
  readonly print: (line: string) => void;
  readonly warn: (line: string) => void;
  readonly logger: Logger;
}

/** The job in a claimed output_dir, in the run's own container (disposed with its backend). */
async function trainClaimed(
  config: TrainConfig,
  job: Job,
  claim: OutputDirClaim,
): Promise<TrainFromConfigResult> {
  const { print, logger } = job;
  const backend = await resolveBackend(job.container, config.backend, {
    cacheDir: config.backend_cache_dir,
    backendOptions: config.backend_options,
  });
  const args = pickTrainingArguments(config);
  const run = createTrainingRun(job.container, { backend, logger, args });
  try {
    const optimizer = resolveOptimizer(run, args.optim, {
      betas: [args.adam_beta1, args.adam_beta2],
      eps: args.adam_epsilon,
    });
    const folder = await resolveModelFolder(config.model, job.configDir, job.configFile);
    const hfConfig = await readHfConfig(folder);
    const modelType = typeof hfConfig.model_type === 'string' ? hfConfig.model_type : undefined;
    const tokenizer = await Tokenizer.fromFolder(folder);
    const quantization = quantizationOf(config);
    const dataDeps = { container: run, tokenizer, baseDir: job.configDir, tokenizerDir: folder };
    // tasks with heads of their own: their labels size the heads, so their data loads first
    const split = splitHeadTasks(config);
    const headTasks = await loadHeadTasks(split.heads, dataDeps);
    const head = await openTaskHead(config, dataDeps);
    const loadOptions = {
      families: run,
      allowNonfinite: config.allow_nonfinite,
      warn: logger.warn,
    };
    let lm: CausalLM | undefined;
    if (!head) {
      const loaded = await loadCausalLM(folder, {
        ...loadOptions,
        quantize: quantizeOnLoad(run, quantization),
      });
      lm =
        headTasks.length === 0
          ? loaded.model
          : MultiHeadModel.withClassificationHeads(
              loaded.model,
              loaded.config,
              headSpecs(headTasks),
              config.seed,
            );
    }
    const model: TaskModel = lm ?? (await (head as TaskHead).loadModel(folder, loadOptions));
    print(`model: ${folder} (${modelType ?? 'unknown type'}) on backend ${backend.id}`);
    if (backend.summary) print(backend.summary);
    if (quantization) print(describeQuantization(quantization, backend.id));
    if (headTasks.length > 0)
      print(
        `heads: lm_head, ${headTasks.map((t) => `${t.config.module} (task ${t.config.task}, ${t.data.labels.numLabels} labels)`).join(', ')}`,
      );
    let peft: PeftModel | undefined;
    if (config.peft) {
      // each extra head trains in full and is saved with the adapter, as PEFT's modules_to_save
      const section = headTasks.length === 0 ? config.peft : withHeadsSaved(config.peft, headTasks);
      peft = addAdapter(run, model, section, {
        seed: config.seed,
        modelType,
        modelConfig: hfConfig,
        tokenizer,
        ...(head?.outputHead && { outputHead: head.outputHead }),
      });
      if (config.adapters) {
        await addMoreAdapters(run, peft, config.adapters, job.configDir);
        print(`adapters: ${describeAdapters(peft)}`);
      }
      const { trainable, all } = peft.parameterCounts();
      print(`peft: ${config.peft.method}: ${trainableParametersLine(trainable, all)}`);
    } else {
      print('full fine-tuning: every parameter trains');
    }

    const registered = resolveAllOf(run, TOKENS.TrainerCallback);
    const report = registered.find((c): c is ReportCallback => c instanceof ReportCallback);
    const headEval = head?.evaluation(model, backend, { tokenizer, report });
    const lmData =
      lm &&
      (await loadTrainingData(split.lm, {
        container: run,
        backend,
        model: lm,
        peft,
        tokenizer,
        folder,
        configDir: job.configDir,
        logger,
        warn: job.warn,
        report,
      }));
    const heads =
      lmData && headTasks.length > 0
        ? multiHeadTraining(lmData, headTasks, {
            model,
            backend,
            seed: config.seed,
            lossWeights: config.task_loss_weights,
            report,
          })
        : undefined;
    const data = heads ?? lmData ?? taskHeadTraining(head as TaskHead, headEval);
    const { stats } = data;
    const unit = config.trainer === 'dpo' ? 'pairs' : 'examples';
    print(
      `data: ${stats.examples} training ${unit} (${stats.sources.map((s) => s.format).join(', ')}), ` +
        `${stats.evalExamples} eval ${unit}, template ${data.template.id}, fingerprint ${stats.fingerprint.slice(0, 12)}`,
    );
    for (const line of stats.warnings) logger.warn(line);
    if (!data.evaluate)
      logger.warn(
        'no eval data (set eval: or eval_split:), so nothing is measured before and after',
      );
    const beforeAfter = new BeforeAfterCallback();
    const trainer = new Trainer({
      backend,
      model,
      peft,
      args,
      optimizer,
      trainData: data.trainData,
      evaluate: data.evaluate,
      callbacks: [...registered, ...(job.callbacks ?? []), beforeAfter],
      computeLoss: data.computeLoss ?? job.computeLoss,
      headLosses: data.headLosses,
      outputLogs: data.outputLogs,
      identity: {
        model: config.model,
        peft: config.peft ?? null,
        ...(config.adapters && { adapters: config.adapters }),
        data: stats.fingerprint,
        // a resumed DPO run must keep its loss
        ...(config.trainer === 'dpo' && { dpo: dpoSettings(config) }),
        ...(config.trainer === 'kto' && { kto: ktoSettings(config) }),
      },
      outputDirClaim: claim,
      warn: logger.warn,
    });
    const result = await trainer.train().finally(() => data.dispose());

    const outputDir = resolve(config.output_dir);
    const files = await saveTrained({
      dir: outputDir,
      model,
      peft,
      baseFolder: folder,
      baseModel: config.model,
      template: data.template,
    });
    files.push(...((await (headEval ?? heads)?.writeFiles(outputDir)) ?? []));
    const { first, last } = beforeAfter;
    const metrics = { before: first?.metrics, after: last?.metrics, train: result.metrics };
    const tasks = data.tasks?.();
    await writeTrainingRecord(outputDir, {
      tunekit_version: trainerVersion(),
      created_at: new Date().toISOString(),
      base_model: config.model,
      base_model_folder: folder,
      data_fingerprint: stats.fingerprint,
      template: { id: data.template.id, sha256: data.template.sha256 },
      data: dataRecord(stats),
      ...(tasks && { tasks }),
      config,
      ...head?.record,
      ...(headTasks.length > 0 && { heads: headsRecord(headTasks) }),
      ...(quantization && { quantization_config: quantization }),
      plugins: job.plugins ?? config.plugins,
      global_step: result.globalStep,
      parameters: peft?.parameterCounts() ?? fullParameterCounts(model),
      peak_rss_bytes: process.resourceUsage().maxRSS * 1024,
      metrics,
    });

    if (first && last && first !== last) {
      print(`eval before training (step ${first.step}): ${describeEvaluation(first.metrics)}`);
      print(`eval after training (step ${last.step}):  ${describeEvaluation(last.metrics)}`);
      const samples = describeSamples(first.samples, last.samples);
      if (samples.length > 0) print(['sample generations:', ...samples].join('\n'));
    } else if (last) {
      print(`eval (step ${last.step}): ${describeEvaluation(last.metrics)}`);
    }
    const saved = [...files, TRAINING_RECORD_FILE];
    print(`${peft ? 'adapter' : 'model'}: ${outputDir} (${saved.join(', ')})`);
    print(`report: ${resolve(outputDir, REPORT_FILE)}`);
    return {
      outputDir,
      files: saved,
      globalStep: result.globalStep,
      metrics,
      before: first,
      after: last,
    };
  } finally {
    await run.dispose();
  }
}

/** Full fine-tuning's counts: every parameter trains, a tied one counted once. */
function fullParameterCounts(model: TaskModel): { trainable: number; all: number } {
  const unique = new Set(model.namedParameters().map(([, p]) => p));
  const all = [...unique].reduce((sum, p) => sum + p.value.size, 0);
  return { trainable: all, all };
}

/** The config's PEFT method, resolved by id, applied to `model` with the section's parsed config. */
function addAdapter(
  container: DependencyContainer,
  model: TaskModel,
  section: PeftSection,
  opts: Pick<PeftModelOptions, 'seed' | 'modelType' | 'modelConfig' | 'tokenizer'>,
): PeftModel {
  const { method: id, ...config } = section;
  const method = resolveById(container, TOKENS.PeftMethod, id, 'peft method');
  return PeftModel.createParsed(model, method, config, {
    methods: resolveAllOf(container, TOKENS.PeftMethod),
    dispatchers: resolveAllOf(container, TOKENS.LinearDispatcher),
    ...opts,
  });
}

/** The `peft:` section with the head tasks' heads added to its modules_to_save. */
function withHeadsSaved(section: PeftSection, tasks: readonly HeadTask[]): PeftSection {
  const listed = (section.modules_to_save as readonly string[] | null | undefined) ?? [];
  const heads = tasks.map((t) => t.config.module).filter((name) => !listed.includes(name));
  return { ...section, modules_to_save: [...listed, ...heads] };
}
