import type { ChatMessage } from '@tunekit/core';
import { seededRandom } from '@tunekit/core';
import { rougeL, rougeTokenize, shuffle } from '@tunekit/trainer';
import type { TextGenerator } from '../generate/index.js';
import { normalizeText, words } from '../text/index.js';
import { numberedListPrompt, parseNumberedList } from './numbered-list.js';
import {
  DEFAULT_REQUEST_TEMPLATES,
  type RefusalCategory,
  type RefusalPolicy,
  type RefusalStyle,
  refusalText,
} from './refusal-policy.js';

/**
 * A should-refuse or should-answer record: `messages` for the trainer, `label` and `category` for
 * a safety evaluation, the expected `style` of a refusal, and where the request came from: the
 * policy (`policy`), a request template filled with a keyword (`template`), or a model (`model`).
 */
export interface RefusalRecord {
  readonly messages: readonly ChatMessage[];
  readonly label: 'refuse' | 'answer';
  readonly category: string;
  readonly style?: RefusalStyle;
  readonly origin: 'policy' | 'template' | 'model';
}

export interface RefusalDataOptions {
  /** A model writes more requests of each kind and answers the near misses. */
  readonly generator?: TextGenerator;
  /** Requests made per category, label and origin (templates, the model); default 8. */
  readonly perCategory?: number;
  /** A made request is dropped when its ROUGE-L with one kept before is above this; default 0.7. */
  readonly rougeL?: number;
  readonly seed?: number;
}

export interface RefusalDataResult {
  readonly records: readonly RefusalRecord[];
  readonly dropped: Readonly<Record<string, number>>;
}

interface Request {
  readonly prompt: string;
  readonly origin: RefusalRecord['origin'];
  readonly response?: string;
}

/**
 * Should-refuse and should-answer pairs from a policy. Each category's examples are refused in
 * its style; its near misses (benign requests close to it, the counterfactual side) are answered.
 * More requests come from the request templates filled with the category's keywords (near
 * misses only with a model, which answers them) and, with a model, from the model continuing a
 * numbered list of the category's requests (which must name a keyword and be no repeat: ROUGE-L
 * at most 0.7 against those kept). Refusals are the policy's wording, never a model's; answers
 * are the policy's, else the model's.
 */
export async function refusalData(
  policy: RefusalPolicy,
  opts: RefusalDataOptions = {},
): Promise<RefusalDataResult> {
  const random = seededRandom(opts.seed ?? 42);
  const dropped: Record<string, number> = {};
  const drop = (why: string) => {
    dropped[why] = (dropped[why] ?? 0) + 1;
  };
  const records: RefusalRecord[] = [];
  for (const category of policy.categories)
    records.push(...(await categoryRecords(policy, category, opts, random, drop)));
  return { records, dropped };
}

async function categoryRecords(
  policy: RefusalPolicy,
  category: RefusalCategory,
  opts: RefusalDataOptions,
  random: () => number,
  drop: (why: string) => void,
): Promise<RefusalRecord[]> {
  const { generator } = opts;
  const perCategory = opts.perCategory ?? 8;
  const pool = new RequestPool(category, opts.rougeL ?? 0.7, drop);
  const refuse: Request[] = pool.given(category.examples);
  const answer: Request[] = pool
    .given(category.near_misses.map((m) => m.prompt))
    .map((request, i) => ({ ...request, response: category.near_misses[i]?.response }));
  const templates = (label: 'refuse' | 'answer') =>
    pool.admit(templateRequests(policy, category, label, perCategory, random), 'template');
  const modelMade = async (label: 'refuse' | 'answer', examples: readonly string[]) =>
    generator
      ? pool.admit(await modelRequests(generator, category, label, examples, perCategory), 'model')
      : [];
  refuse.push(...templates('refuse'), ...(await modelMade('refuse', category.examples)));
  // made near misses need an answer, so only a model's run gets them
  if (generator)
    answer.push(
      ...templates('answer'),
      ...(await modelMade(
        'answer',
        category.near_misses.map((m) => m.prompt),
      )),
    );
  const refusal = refusalText(policy, category);
  const records: RefusalRecord[] = refuse.map((r) => ({
    messages: [
      { role: 'user', content: r.prompt },
      { role: 'assistant', content: refusal },
    ],
    label: 'refuse',
    category: category.name,
    style: category.style,
    origin: r.origin,
  }));
  const unanswered = answer.filter((a) => a.response === undefined);
  const replies = generator
    ? await generator.answer(unanswered.map((a) => [{ role: 'user', content: a.prompt }]))
    : [];
  for (const a of answer) {
    const reply = a.response ?? replies[unanswered.indexOf(a)]?.trim() ?? '';
    if (reply === '') drop(generator ? 'empty_response' : 'no_response');
    else
      records.push({
        messages: [
          { role: 'user', content: a.prompt },
          { role: 'assistant', content: reply },
        ],
        label: 'answer',
        category: category.name,
        origin: a.origin,
      });
  }
  return records;
}

/** A category's requests so far, and the checks a made one passes to join them. */
class RequestPool {
  private readonly tokens: string[][] = [];
  private readonly seen = new Set<string>();

  constructor(
    private readonly category: RefusalCategory,
    private readonly threshold: number,
    private readonly drop: (why: string) => void,
  ) {}

  /** The policy's own requests, taken as they are. */
  given(prompts: readonly string[]): Request[] {
    for (const prompt of prompts) this.add(prompt);
    return prompts.map((prompt) => ({ prompt, origin: 'policy' }));
  }

  /** The made requests that pass, each then in the pool. */
  admit(prompts: readonly string[], origin: Request['origin']): Request[] {
    return prompts.flatMap((prompt) => {
      const why = this.rejection(prompt, origin);
      if (why !== undefined) {
        this.drop(why);
        return [];
      }
      this.add(prompt);
      return [{ prompt, origin }];
    });
  }

  private add(prompt: string): void {
    this.tokens.push(rougeTokenize(prompt));
    this.seen.add(normalizeText(prompt));
  }

  private rejection(prompt: string, origin: Request['origin']): string | undefined {
    if (words(prompt).length < 3) return 'too_short';
    if (this.seen.has(normalizeText(prompt))) return 'duplicate';
    if (origin !== 'model') return undefined;
    if (!namesKeyword(prompt, this.category)) return 'no_keyword';
    // template-made requests differ only in the keyword by design: ROUGE-L checks a model's
    const tokens = rougeTokenize(prompt);
    return this.tokens.some((kept) => rougeL(kept, tokens).fmeasure > this.threshold)
      ? 'similar'
      : undefined;
  }
}

/** Up to `count` requests: the label's templates filled with each keyword, drawn at random. */
function templateRequests(
  policy: RefusalPolicy,
  category: RefusalCategory,
  label: 'refuse' | 'answer',
  count: number,
  random: () => number,
): string[] {
  const templates = policy.request_templates[label] ?? DEFAULT_REQUEST_TEMPLATES[label];
  const filled = templates.flatMap((t) =>
    category.keywords.map((k) => t.replaceAll('{keyword}', k)),
  );
  return shuffle(filled, random).slice(0, count);
}

/** The requests of `count` continuations of a numbered list of the label's requests for the model to continue. */
async function modelRequests(
  generator: TextGenerator,
  category: RefusalCategory,
  label: 'refuse' | 'answer',
  examples: readonly string[],
  count: number,
): Promise<string[]> {
  const about = category.keywords.length > 0 ? ` (about ${category.keywords.join(', ')})` : '';
  const heading =
    label === 'refuse'
      ? `Requests that ask for ${category.description}${about}:`
      : `Harmless requests${about} that do not ask for ${category.description}:`;
  // as many examples as fit beside the answer in the model's positions
  const room = generator.positions - generator.maxNewTokens;
  const fitting = examples.map((_, i) =>
    numberedListPrompt(heading, examples.slice(0, examples.length - i)),
  );
  const prompt =
    fitting.find((p) => generator.countTokens(p) <= room) ?? numberedListPrompt(heading, []);
  const continuations = await generator.complete(Array.from({ length: count }, () => prompt));
  return continuations.flatMap(parseNumberedList);
}

function namesKeyword(prompt: string, category: RefusalCategory): boolean {
  if (category.keywords.length === 0) return true;
  const text = normalizeText(prompt);
  return category.keywords.some((k) => text.includes(normalizeText(k)));
}
