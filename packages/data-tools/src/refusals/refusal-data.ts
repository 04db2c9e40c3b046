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
  const { generator } = opts;
  const random = seededRandom(opts.seed ?? 42);
  const perCategory = opts.perCategory ?? 8;
  const threshold = opts.rougeL ?? 0.7;
  const dropped: Record<string, number> = {};
  const drop = (why: string) => {
    dropped[why] = (dropped[why] ?? 0) + 1;
  };
  const records: RefusalRecord[] = [];
  for (const category of policy.categories) {
    const pool: string[][] = [];
    const seen = new Set<string>();
    /** The made requests that pass: a keyword named, no repeat of one kept before. */
    const admit = (prompts: readonly string[], origin: Request['origin']): Request[] =>
      prompts.flatMap((prompt) => {
        const tokens = rougeTokenize(prompt);
        const why =
          words(prompt).length < 3
            ? 'too_short'
            : origin === 'model' && !namesKeyword(prompt, category)
              ? 'no_keyword'
              : seen.has(normalizeText(prompt)) ||
                  // template-made requests differ only in the keyword: ROUGE-L is for a model's
                  (origin === 'model' &&
                    pool.some((kept) => rougeL(kept, tokens).fmeasure > threshold))
                ? 'similar'
                : undefined;
        if (why) {
          drop(why);
          return [];
        }
        pool.push(tokens);
        seen.add(normalizeText(prompt));
        return [{ prompt, origin }];
      });
    const given = (prompts: readonly string[]) =>
      prompts.map((prompt) => {
        pool.push(rougeTokenize(prompt));
        seen.add(normalizeText(prompt));
        return prompt;
      });
    const refuse: Request[] = given(category.examples).map((prompt) => ({
      prompt,
      origin: 'policy',
    }));
    const answer: Request[] = category.near_misses.map((m) => ({
      ...m,
      origin: 'policy' as const,
    }));
    given(category.near_misses.map((m) => m.prompt));
    const templates = (label: 'refuse' | 'answer') =>
      admit(templateRequests(policy, category, label, perCategory, random), 'template');
    const modelMade = async (label: 'refuse' | 'answer', examples: readonly string[]) =>
      generator
        ? admit(await modelRequests(generator, category, label, examples, perCategory), 'model')
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
    for (const r of refuse)
      records.push({
        messages: [
          { role: 'user', content: r.prompt },
          { role: 'assistant', content: refusal },
        ],
        label: 'refuse',
        category: category.name,
        style: category.style,
        origin: r.origin,
      });
    const unanswered = answer.filter((a) => a.response === undefined);
    const replies = generator
      ? await generator.answer(unanswered.map((a) => [{ role: 'user', content: a.prompt }]))
      : [];
    for (const a of answer) {
      const reply = a.response ?? replies[unanswered.indexOf(a)]?.trim() ?? '';
      if (reply === '') {
        drop(generator ? 'empty_response' : 'no_response');
        continue;
      }
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
  }
  return { records, dropped };
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
