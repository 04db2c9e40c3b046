import { UserError } from '@tunekit/core';
import type { LossPolicy } from './loss-policy.js';
import type { TokenizedExample } from './tokenize-example.js';

/** How many records a message lists before "and N more". */
const LISTED = 5;

export interface SupervisionSummary {
  readonly examples: number;
  /** Records whose example has no supervised token (after truncation), in data order. */
  readonly unsupervised: readonly string[];
  /** Records whose BOS was written twice (template and tokenizer) and emitted once. */
  readonly doubleBos: readonly string[];
}

/**
 * Watches a dataset's tokenised examples for the failures that train silently wrong: examples
 * with no supervised token (reported by record), a dataset where every example has none (the
 * all-zero assistant mask: an error naming the template and the first records), and BOS
 * written twice.
 */
export class SupervisionGuard {
  private examples = 0;
  private readonly unsupervised: string[] = [];
  private readonly doubleBos: string[] = [];

  constructor(
    private readonly template: { readonly id: string; readonly sha256: string },
    private readonly lossPolicy: LossPolicy = 'assistant',
  ) {}

  /** Counts one example; `where` names its record (`data.jsonl:12`). */
  add(where: string, example: Pick<TokenizedExample, 'supervisedTokens' | 'doubleBos'>): void {
    this.examples++;
    if (example.supervisedTokens === 0) this.unsupervised.push(where);
    if (example.doubleBos) this.doubleBos.push(where);
  }

  /** A line for the log when some examples train nothing, else undefined. */
  warning(): string | undefined {
    if (this.unsupervised.length === 0) return undefined;
    return `${this.unsupervised.length} of ${this.examples} examples have no supervised token after truncation and teach nothing: ${listed(this.unsupervised)}`;
  }

  /** The summary; throws a `UserError` when there are examples and none has a supervised token. */
  finish(): SupervisionSummary {
    if (this.examples > 0 && this.unsupervised.length === this.examples) {
      throw new UserError(
        `no example has a supervised token: template '${this.template.id}' (sha256 ${this.template.sha256.slice(0, 12)}) with loss policy '${this.lossPolicy}' leaves every label at -100 in all ${this.examples} examples (first records: ${listed(this.unsupervised)}). Check that the records have assistant turns, that max_length leaves room for them, and that the template marks assistant turns`,
      );
    }
    return {
      examples: this.examples,
      unsupervised: [...this.unsupervised],
      doubleBos: [...this.doubleBos],
    };
  }
}

function listed(records: readonly string[]): string {
  const shown = records.slice(0, LISTED).join(', ');
  return records.length > LISTED ? `${shown} and ${records.length - LISTED} more` : shown;
}
