import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  atomicWrite,
  type DataInput,
  type DataManifest,
  describeDataInput,
  UserError,
  writeDataManifest,
} from '@tunekit/core';
import { firstIssue } from '../jsonl/index.js';
import { type ArbitrationTask, arbitrate } from './arbitration.js';
import {
  decisionInputSchema,
  type ReviewDecision,
  readReviewFile,
  VERDICTS,
  type Verdict,
} from './review-decision.js';
import { type ReviewItem, readReviewItems } from './review-items.js';

/** A record on the page; in arbitration, with the reviewers' decisions on it. */
export type ReviewTask = ArbitrationTask;

/** How far a review has come, as the page and the manifest show it. */
export interface ReviewProgress {
  readonly total: number;
  readonly decided: number;
  readonly verdicts: Readonly<Record<Verdict, number>>;
  readonly labels: Readonly<Record<string, number>>;
}

export interface OpenReviewOptions {
  /** The records to review (never written). */
  readonly source: string;
  readonly reviewer: string;
  /** The review file to write; when it exists, the review resumes from it. */
  readonly out: string;
  /** The labels a reviewer may give a record (none: no labels). */
  readonly labels?: readonly string[];
  /** The command as run, for the manifest. */
  readonly command: string;
}

/** The review files whose disagreements an arbiter resolves. */
export interface OpenArbitrationOptions extends OpenReviewOptions {
  readonly reviews: readonly string[];
}

/**
 * One reviewer's pass over a source: the records to decide, the decisions so far, and the review
 * file they are written to, whole and atomically with its manifest after every decision, so an
 * interrupted review loses nothing and resumes where it stopped.
 */
/** What a session is made of, as `open` and `openArbitration` find it. */
interface SessionParts {
  readonly mode: 'review' | 'arbitrate';
  readonly options: OpenReviewOptions;
  readonly labels: readonly string[];
  readonly tasks: readonly ReviewTask[];
  /** Every record of the source, for the order of the file written. */
  readonly items: readonly ReviewItem[];
  /** The reviewer's decisions so far (from `out` when resumed). */
  readonly decisions: Map<string, ReviewDecision>;
  /** Decisions written besides the reviewer's own: the agreed ones in arbitration. */
  readonly agreed: readonly ReviewDecision[];
  /** The source, and the review files in arbitration, as the manifest lists them. */
  readonly inputs: readonly DataInput[];
}

export class ReviewSession {
  readonly mode: 'review' | 'arbitrate';
  readonly source: string;
  readonly reviewer: string;
  readonly out: string;
  readonly labels: readonly string[];
  readonly tasks: readonly ReviewTask[];
  private readonly decisions: Map<string, ReviewDecision>;
  private readonly order: ReadonlyMap<string, number>;
  private writing: Promise<unknown> = Promise.resolve();

  private constructor(private readonly parts: SessionParts) {
    this.mode = parts.mode;
    ({ source: this.source, reviewer: this.reviewer, out: this.out } = parts.options);
    this.labels = parts.labels;
    this.tasks = parts.tasks;
    this.decisions = parts.decisions;
    this.order = new Map(parts.items.map((item, i) => [item.id, i]));
  }

  /** A review of `source` by `reviewer`, resumed from `out` when it exists. */
  static async open(opts: OpenReviewOptions): Promise<ReviewSession> {
    const items = await readReviewItems(opts.source);
    await checkOut(opts.out, [opts.source]);
    return new ReviewSession({
      mode: 'review',
      options: opts,
      labels: opts.labels ?? [],
      tasks: items.map((item) => ({ item, reviews: [] })),
      items,
      decisions: await resumed(opts, new Set(items.map((i) => i.id))),
      agreed: [],
      inputs: [await describeDataInput(opts.source)],
    });
  }

  /**
   * An arbiter's pass over what the review files of `source` disagree on; the resolved file holds
   * the agreed records and the arbiter's decisions.
   */
  static async openArbitration(opts: OpenArbitrationOptions): Promise<ReviewSession> {
    if (opts.reviews.length < 2) throw new UserError('--arbitrate needs two or more review files');
    const items = await readReviewItems(opts.source);
    await checkOut(opts.out, [opts.source, ...opts.reviews]);
    const ids = new Set(items.map((i) => i.id));
    const files = await Promise.all(opts.reviews.map((file) => readReviewFile(file)));
    files.forEach((file, i) => {
      for (const id of file.keys())
        if (!ids.has(id))
          throw new UserError(`${opts.reviews[i]}: record ${id} is not in ${opts.source}`);
    });
    const { agreed, queue } = arbitrate(items, files);
    const reviewLabels = files.flatMap((file) => [...file.values()].flatMap((d) => d.label ?? []));
    return new ReviewSession({
      mode: 'arbitrate',
      options: opts,
      // the labels named first, in their order (their keys), then the others the reviewers gave
      labels: [...new Set([...(opts.labels ?? []), ...reviewLabels.sort()])],
      tasks: queue,
      items,
      decisions: await resumed(opts, new Set(queue.map((task) => task.item.id))),
      agreed,
      inputs: await Promise.all(
        [opts.source, ...opts.reviews].map((file) => describeDataInput(file)),
      ),
    });
  }

  /** The reviewer's decision on record `id`, if any. */
  decision(id: string): ReviewDecision | undefined {
    return this.decisions.get(id);
  }

  progress(): ReviewProgress {
    const verdicts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
    const labels: Record<string, number> = Object.fromEntries(this.labels.map((l) => [l, 0]));
    for (const d of this.decisions.values()) {
      verdicts[d.verdict]++;
      if (d.label !== undefined) labels[d.label] = (labels[d.label] ?? 0) + 1;
    }
    return { total: this.tasks.length, decided: this.decisions.size, verdicts, labels };
  }

  /**
   * Records the reviewer's decision (what the page sent, checked here) and writes the review file
   * and its manifest; resolves once both are on disk.
   */
  async decide(input: unknown): Promise<ReviewDecision> {
    const parsed = decisionInputSchema.safeParse(input);
    if (!parsed.success) throw new UserError(`decision: ${firstIssue(parsed.error)}`);
    const { id, verdict, label, response, comment } = parsed.data;
    const task = this.tasks.find((t) => t.item.id === id);
    if (task === undefined) throw new UserError(`decision: no record ${id} to decide here`);
    if (label !== undefined && !this.labels.includes(label))
      throw new UserError(
        `decision: label ${label} is not one of ${this.labels.join(', ') || '(no labels)'}`,
      );
    const kept =
      verdict === 'reject'
        ? undefined
        : verdict === 'edit'
          ? response
          : (task.item.draft ?? task.item.reference);
    const decision: ReviewDecision = {
      id,
      reviewer: this.reviewer,
      verdict,
      ...(label !== undefined ? { label } : {}),
      ...(kept !== undefined ? { response: kept } : {}),
      ...(comment ? { comment } : {}),
      reviewed_at: new Date().toISOString(),
      ...(this.mode === 'arbitrate'
        ? {
            resolution: 'arbitrated' as const,
            reviewers: task.reviews.map((r) => r.reviewer),
          }
        : {}),
    };
    this.decisions.set(id, decision);
    const written = this.writing.then(() => this.save());
    this.writing = written.catch(() => {});
    await written;
    return decision;
  }

  /** Resolves once every decision taken so far is on disk (a failed write has been reported). */
  async written(): Promise<void> {
    await this.writing;
  }

  /** The review file (every decision, in source order) and its manifest. */
  private async save(): Promise<DataManifest> {
    const records = [...this.parts.agreed, ...this.decisions.values()].sort(
      (a, b) => (this.order.get(a.id) ?? 0) - (this.order.get(b.id) ?? 0),
    );
    await mkdir(dirname(resolve(this.out)), { recursive: true });
    await atomicWrite(this.out, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    const progress = this.progress();
    return writeDataManifest(this.out, {
      records: records.length,
      format: 'review',
      command: this.parts.options.command,
      inputs: this.parts.inputs,
      details: {
        reviewer: this.reviewer,
        mode: this.mode,
        ...(this.mode === 'arbitrate'
          ? { agreed: this.parts.agreed.length, to_arbitrate: progress.total }
          : { to_review: progress.total }),
        decided: progress.decided,
        ...progress.verdicts,
        labels: progress.labels,
      },
    });
  }
}

/** The out file may not be an input, nor a folder. */
async function checkOut(out: string, inputs: readonly string[]): Promise<void> {
  if (inputs.some((input) => resolve(input) === resolve(out)))
    throw new UserError(`--out: ${out} is an input file; the source and reviews stay as they are`);
  if ((await stat(out).catch(() => undefined))?.isDirectory())
    throw new UserError(`--out: ${out} is a folder; name a file`);
}

/** The reviewer's decisions already in `out` (none when it does not exist), checked. */
async function resumed(
  opts: OpenReviewOptions,
  ids: ReadonlySet<string>,
): Promise<Map<string, ReviewDecision>> {
  if ((await stat(opts.out).catch(() => undefined)) === undefined) return new Map();
  const decisions = new Map<string, ReviewDecision>();
  for (const [id, decision] of await readReviewFile(opts.out)) {
    if (decision.resolution === 'agreed') continue; // recomputed from the review files
    if (decision.reviewer !== opts.reviewer)
      throw new UserError(
        `--out: ${opts.out} holds ${decision.reviewer}'s decisions, not ${opts.reviewer}'s; name another file`,
      );
    if (!ids.has(id))
      throw new UserError(`--out: ${opts.out} decides record ${id}, which is not to decide here`);
    decisions.set(id, decision);
  }
  return decisions;
}
