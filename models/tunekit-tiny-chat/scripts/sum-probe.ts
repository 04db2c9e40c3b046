import {
  type Backend,
  type CausalLM,
  type Executable,
  type HostTensor,
  seededRandom,
  type Tokenizer,
  traceLogits,
} from '@tunekit/core';
import { MAX_OPERAND, randomInt } from './corpus.js';

/**
 * How often the model completes "a + b =" with exactly the sum and then ends the document, read
 * from one teacher-forced pass: greedy decoding gives the same answer exactly when the argmax at
 * every answer position is the answer's next token.
 */
export class SumProbe {
  private readonly rows: number[][] = [];
  /** Per row, the positions whose argmax must be the next token. */
  private readonly checks: number[][] = [];
  private readonly executable: Executable;
  private readonly feeds: Record<string, HostTensor>;

  constructor(model: CausalLM, tokenizer: Tokenizer, backend: Backend, count = 64, seed = 7) {
    const random = seededRandom(seed);
    const end = tokenizer.padTokenId as number; // documents end with <|endoftext|>
    for (let i = 0; i < count; i++) {
      const a = randomInt(random, 0, MAX_OPERAND);
      const b = randomInt(random, 0, MAX_OPERAND);
      const prompt = tokenizer.encode(`${a} + ${b} =`);
      const row = [...tokenizer.encode(`${a} + ${b} = ${a + b}`), end];
      this.rows.push(row);
      this.checks.push(
        Array.from({ length: row.length - prompt.length }, (_, k) => prompt.length - 1 + k),
      );
    }
    const seq = Math.max(...this.rows.map((r) => r.length));
    for (const row of this.rows) while (row.length < seq) row.push(end);
    const traced = traceLogits(model, { batch: count, seq });
    this.executable = backend.compile(traced.graph);
    this.feeds = traced.feeds(this.rows);
  }

  /** Exact-match rate with `weights` (the trained parameters by input name). */
  async accuracy(weights: Readonly<Record<string, HostTensor>>): Promise<number> {
    const { logits } = await this.executable.run({ ...this.feeds, ...weights });
    const [batch, seq, vocab] = logits.shape;
    const x = logits.toFloat64();
    let correct = 0;
    for (let r = 0; r < batch; r++) {
      const ok = this.checks[r].every((t) => {
        const at = (r * seq + t) * vocab;
        let best = 0;
        for (let v = 1; v < vocab; v++) if (x[at + v] > x[at + best]) best = v;
        return best === this.rows[r][t + 1];
      });
      if (ok) correct++;
    }
    return correct / batch;
  }
}
