import { SCORE_HEAD } from '@tunekit/core';
import type { z } from 'zod';
import type { DataSource, SourceHead } from '../data/index.js';
import type { TrainConfig } from './train-config.js';

/** A training source's task with a head of its own (`head:`), as a multi-head run trains it. */
export interface HeadTaskConfig {
  readonly task: string;
  /** The head's module: `score` for the run's only classification head, else `score_<task>`. */
  readonly module: string;
  readonly head: SourceHead;
  /** The config of its classification data: its source, its eval sources, its labels. */
  readonly data: TrainConfig & { readonly id2label?: Readonly<Record<string, string>> };
}

/**
 * The tasks of `config` that train heads of their own, and the config of the LM tasks without
 * them (their sources, eval sources and loss weights); no head tasks: the config as it is.
 */
export function splitHeadTasks(config: TrainConfig): {
  readonly lm: TrainConfig;
  readonly heads: readonly HeadTaskConfig[];
} {
  const headed = config.train.filter((s): s is DataSource & { task: string; head: SourceHead } =>
    Boolean(s.head && s.task),
  );
  if (headed.length === 0) return { lm: config, heads: [] };
  const tasks = new Set(headed.map((s) => s.task));
  const evalOf = (keep: (task: string | undefined) => boolean) => {
    const sources = config.eval?.filter((s) => keep(s.task));
    return sources && sources.length > 0 ? sources : undefined;
  };
  const weights = Object.entries(config.task_loss_weights ?? {}).filter(([t]) => !tasks.has(t));
  const lm: TrainConfig = {
    ...config,
    train: config.train.filter((s) => !s.head),
    eval: evalOf((task) => task === undefined || !tasks.has(task)),
    task_loss_weights: weights.length > 0 ? Object.fromEntries(weights) : undefined,
  };
  const heads = headed.map(({ head, ...source }) => ({
    task: source.task,
    module: headed.length === 1 ? SCORE_HEAD : `${SCORE_HEAD}_${source.task}`,
    head,
    data: {
      ...config,
      train: [source],
      eval: evalOf((task) => task === source.task),
      task_loss_weights: undefined,
      mix_temperature: undefined,
      ...(head.id2label && { id2label: head.id2label }),
    },
  }));
  return { lm, heads };
}

/**
 * The checks of `head:` on training sources: a head trains a named task of its own (no LM source
 * shares it), one source per head, weight 1, on a causal-LM SFT run without R-Drop, and an eval
 * source names its task but no head.
 */
export function refineHeads(
  config: {
    readonly train: readonly DataSource[];
    readonly eval?: readonly DataSource[];
    readonly peft?: { readonly task_type?: string | null };
    readonly trainer: string;
    readonly rdrop_alpha: number;
  },
  ctx: z.RefinementCtx,
): void {
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: 'custom', path, message });
  const headed = config.train.flatMap((s, i) => (s.head ? [{ s, i }] : []));
  config.eval?.forEach((s, i) => {
    if (s.head) issue(['eval', i, 'head'], 'a head is set on its training source; drop it here');
  });
  if (headed.length === 0) return;
  const lmTasks = new Set(config.train.flatMap((s) => (s.head ? [] : (s.task ?? []))));
  const seen = new Set<string>();
  for (const { s, i } of headed) {
    const at = ['train', i];
    const { head } = s as { head: SourceHead };
    if (s.task === undefined) issue([...at, 'task'], 'a source with a head names its task');
    else if (lmTasks.has(s.task) || seen.has(s.task))
      issue([...at, 'task'], `task '${s.task}' has a head of its own: give it this one source`);
    if (s.task !== undefined) seen.add(s.task);
    if (s.weight !== 1) issue([...at, 'weight'], 'a head task’s source has weight 1');
    const named = head.id2label && Object.keys(head.id2label).length;
    if (named && head.num_labels !== undefined && head.num_labels !== named)
      issue(
        [...at, 'head', 'num_labels'],
        `num_labels is ${head.num_labels} but id2label names ${named} labels`,
      );
  }
  const first = ['train', headed[0].i, 'head'];
  if (headed.length === config.train.length)
    issue(
      first,
      'heads share a causal LM with its own tasks: add a training source without a head',
    );
  const taskType = config.peft?.task_type;
  if (taskType !== undefined && taskType !== null && taskType !== 'CAUSAL_LM')
    issue(['peft', 'task_type'], `heads go on a causal LM (task_type CAUSAL_LM), not ${taskType}`);
  if (config.trainer !== 'sft') issue(first, 'heads train with trainer: sft');
  if (config.rdrop_alpha > 0)
    issue(['rdrop_alpha'], 'R-Drop compares next-token predictions; a run with heads has others');
}
