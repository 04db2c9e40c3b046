import { type Metric, UserError } from '@tunekit/core';
import { z } from 'zod';
import { exactMatch } from '../eval/index.js';

/**
 * How an answer (or a dialogue's answers) is checked: `exact` (equal after trimming white space),
 * `regex` (a JavaScript regular expression that must match somewhere; `flags` e.g. `i`), or
 * `metric`: a registered metric (built in, e.g. `rouge`, or a plugin's TOKENS.Metric) scoring the
 * answer against `reference`, whose value `value` (default: the metric's id) must reach `min`.
 */
export const turnCheckSchema = z.union([
  z.strictObject({ exact: z.string() }),
  z.strictObject({ regex: z.string().min(1), flags: z.string().optional() }),
  z.strictObject({
    metric: z.string().min(1),
    reference: z.string(),
    value: z.string().min(1).optional(),
    min: z.number().default(1),
  }),
]);
export type TurnCheckSpec = z.output<typeof turnCheckSchema>;

/** A compiled check: whether an answer passes it. */
export type TurnCheck = (answer: string, prompt: string) => Promise<boolean>;

/** Compiles `spec`; a bad regex or an unknown metric is a UserError naming `where`. */
export function compileCheck(
  spec: TurnCheckSpec,
  metrics: readonly Metric[],
  where: string,
): TurnCheck {
  if ('exact' in spec) return async (answer) => exactMatch(answer, spec.exact);
  if ('regex' in spec) {
    let regex: RegExp;
    try {
      regex = new RegExp(spec.regex, spec.flags ?? 'u');
    } catch (cause) {
      throw new UserError(
        `${where}: regex ${JSON.stringify(spec.regex)}: ${(cause as Error).message}`,
      );
    }
    return async (answer) => regex.test(answer);
  }
  const metric = metrics.find((m) => m.id === spec.metric);
  if (metric === undefined)
    throw new UserError(
      `${where}: unknown metric '${spec.metric}'; registered: ${metrics.map((m) => m.id).join(', ')}`,
    );
  const key = spec.value ?? spec.metric;
  return async (answer, prompt) => {
    const values = await metric.compute({
      tokens: { lossSum: 0, correct: 0, tokens: 0 },
      samples: [{ prompt, prediction: answer, reference: spec.reference }],
    });
    const value = values[key];
    if (value === undefined)
      throw new UserError(
        `${where}: metric '${spec.metric}' gave no '${key}' (it gave: ${Object.keys(values).join(', ') || 'nothing'}); set \`value\``,
      );
    return value >= spec.min;
  };
}
