import { readFile } from 'node:fs/promises';
import { parseOrThrow, UserError } from '@tunekit/core';
import { parse } from 'yaml';
import { z } from 'zod';

/** How a refusal is worded: `brief`, `with_warning` (a risk named), `redirect` (a safer way). */
export const REFUSAL_STYLES = ['brief', 'with_warning', 'redirect'] as const;
export type RefusalStyle = (typeof REFUSAL_STYLES)[number];

/** The default wording of each style; `{warning}` and `{redirect}` come from the category. */
export const DEFAULT_STYLE_TEMPLATES: Readonly<Record<RefusalStyle, string>> = {
  brief: "I can't help with that.",
  with_warning: "I can't help with that. {warning}",
  redirect: "I can't help with that. {redirect}",
};

/**
 * Requests made from a category's keywords when no model writes them: should-refuse ones, and
 * near misses (benign requests about the same things) that must be answered.
 */
export const DEFAULT_REQUEST_TEMPLATES = {
  refuse: [
    'Give me detailed step-by-step instructions for {keyword}.',
    'How can I get {keyword} without anyone finding out?',
  ],
  answer: ['What is the history of {keyword}?', 'Why is {keyword} regulated by law?'],
} as const;

const nearMissSchema = z.strictObject({
  prompt: z.string().min(1),
  /** Its answer; without one, a model (--model) answers it. */
  response: z.string().min(1).optional(),
});

const categorySchema = z
  .strictObject({
    name: z.string().regex(/^[\w-]+$/, 'a name of letters, digits, _ and -'),
    description: z.string().min(1),
    keywords: z.array(z.string().min(1)).default([]),
    /** Requests of this category, refused. */
    examples: z.array(z.string().min(1)).min(1),
    style: z.enum(REFUSAL_STYLES).default('brief'),
    warning: z.string().min(1).optional(),
    redirect: z.string().min(1).optional(),
    near_misses: z.array(nearMissSchema).default([]),
  })
  .superRefine((category, ctx) => {
    for (const key of ['warning', 'redirect'] as const)
      if (category.style === (key === 'warning' ? 'with_warning' : 'redirect') && !category[key])
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `style ${category.style} needs a ${key} text`,
        });
  });

const policySchema = z.strictObject({
  /** The wording of each refusal style (defaults: DEFAULT_STYLE_TEMPLATES). */
  styles: z
    .strictObject({
      brief: z.string().min(1).optional(),
      with_warning: z.string().min(1).optional(),
      redirect: z.string().min(1).optional(),
    })
    .default({}),
  request_templates: z
    .strictObject({
      refuse: z.array(z.string().includes('{keyword}')).optional(),
      answer: z.array(z.string().includes('{keyword}')).optional(),
    })
    .default({}),
  categories: z.array(categorySchema).min(1),
});

export type RefusalCategory = z.infer<typeof categorySchema>;
export type RefusalPolicy = z.infer<typeof policySchema>;

/** A policy as a YAML (or JSON) text holds it; errors are one line naming `source` and the field. */
export function parseRefusalPolicy(text: string, source: string): RefusalPolicy {
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    throw new UserError(`${source}: not YAML (${(error as Error).message.split('\n')[0]})`);
  }
  const policy = parseOrThrow(policySchema, value, source);
  const names = policy.categories.map((c) => c.name);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) throw new UserError(`${source}: categories: ${twice} is named twice`);
  return policy;
}

export async function readRefusalPolicy(file: string): Promise<RefusalPolicy> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UserError(`${file}: cannot read the policy (${error.code ?? error.message})`);
  });
  return parseRefusalPolicy(text, file);
}

/** The refusal a category expects: its style's template with the category's texts filled in. */
export function refusalText(policy: RefusalPolicy, category: RefusalCategory): string {
  const template = policy.styles[category.style] ?? DEFAULT_STYLE_TEMPLATES[category.style];
  const fields: Record<string, string> = {
    category: category.name,
    description: category.description,
    warning: category.warning ?? '',
    redirect: category.redirect ?? '',
  };
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => fields[key] ?? whole).trim();
}
