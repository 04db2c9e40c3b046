/** Why a row stopped: an eos token, a stop string in its text, or max_new_tokens reached. */
export type FinishReason = 'eos' | 'stop_string' | 'length';

/** What generation returns for one prompt. */
export interface GeneratedRow {
  /** The new tokens, without padding; an eos token that ended the row is the last one. */
  readonly tokens: number[];
  readonly finishReason: FinishReason;
  /** With `decode`: the new tokens' text, without the eos token and cut before a stop string. */
  readonly text?: string;
}

export interface StopRule {
  readonly maxNewTokens: number;
  readonly eos: ReadonlySet<number>;
  readonly stopStrings: readonly string[];
  readonly decode?: (ids: readonly number[]) => string;
}

/** One row of a batch while it generates: its tokens so far and whether (and why) it stopped. */
export class GenerationRow {
  readonly generated: number[] = [];
  private finish?: FinishReason;
  private text?: string;

  constructor(
    readonly prompt: readonly number[],
    private readonly rule: StopRule,
  ) {}

  get finished(): boolean {
    return this.finish !== undefined;
  }

  /** The whole sequence so far, prompt included (what the repetition penalty looks at). */
  get tokens(): number[] {
    return [...this.prompt, ...this.generated];
  }

  /** Adds the next token and decides whether the row stops there. */
  accept(token: number): void {
    this.generated.push(token);
    const { eos, stopStrings, decode, maxNewTokens } = this.rule;
    if (eos.has(token)) {
      this.stop('eos', decode?.(this.generated.slice(0, -1)));
    } else if (decode && stopStrings.length > 0) {
      // the whole text again: a stop string may span tokens, and text is not per-token additive
      const text = decode(this.generated);
      const cut = firstStop(text, stopStrings);
      if (cut >= 0) this.stop('stop_string', text.slice(0, cut));
    }
    if (!this.finished && this.generated.length >= maxNewTokens)
      this.stop('length', decode?.(this.generated));
  }

  private stop(reason: FinishReason, text: string | undefined): void {
    this.finish = reason;
    this.text = text;
  }

  result(): GeneratedRow {
    if (this.finish === undefined) throw new Error('result() of a row that has not finished');
    const row = { tokens: [...this.generated], finishReason: this.finish };
    return this.text === undefined ? row : { ...row, text: this.text };
  }
}

/** Where the earliest stop string starts in `text`, or -1. */
function firstStop(text: string, stopStrings: readonly string[]): number {
  let first = -1;
  for (const s of stopStrings) {
    const at = text.indexOf(s);
    if (at >= 0 && (first < 0 || at < first)) first = at;
  }
  return first;
}
