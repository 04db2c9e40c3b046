import { UserError } from '@tunekit/core';
import { readJsonl } from '../jsonl/index.js';
import { cohenKappa } from './cohen-kappa.js';
import { krippendorffAlpha } from './krippendorff-alpha.js';

/** One annotator's records by item id. */
export type Annotations = ReadonlyMap<string, Readonly<Record<string, unknown>>>;

/** How far annotators agree on one label field. */
export interface LabelAgreement {
  readonly label: string;
  /** Items any annotator labelled. */
  readonly items: number;
  /** With exactly two annotators. */
  readonly cohen_kappa?: number;
  readonly krippendorff_alpha: number;
  /** The ids of items whose labels differ, in first-seen order. */
  readonly disagreements: readonly string[];
}

/** The records of an annotator's JSONL file (a review file, or any with ids) by item id. */
export async function readAnnotations(file: string, idField = 'id'): Promise<Annotations> {
  const byId = new Map<string, Record<string, unknown>>();
  for (const { where, value } of await readJsonl(file, "an annotator's labels")) {
    const record = (typeof value === 'object' && value !== null ? value : {}) as Record<
      string,
      unknown
    >;
    const id = record[idField];
    if (typeof id !== 'string' && typeof id !== 'number')
      throw new UserError(
        `${where}: no '${idField}' naming the item (set --id to the field that does)`,
      );
    byId.set(String(id), record);
  }
  return byId;
}

/**
 * Agreement per label field among annotators: Cohen's kappa for two, Krippendorff's alpha
 * (nominal) for any number, over the items any of them labelled; an item one annotator left
 * unlabelled counts as missing for that annotator.
 */
export function annotatorAgreement(
  annotators: readonly Annotations[],
  labels: readonly string[],
): LabelAgreement[] {
  if (annotators.length < 2) throw new UserError("agreement needs two or more annotators' files");
  const ids = [...new Set(annotators.flatMap((a) => [...a.keys()]))];
  return labels.map((label) => {
    const ratings = annotators.map((a) => ids.map((id) => labelOf(a.get(id), label)));
    const labelled = ids.filter((_, i) => ratings.some((r) => r[i] !== undefined));
    const disagreements = ids.filter(
      (_, i) => new Set(ratings.map((r) => r[i]).filter((v) => v !== undefined)).size > 1,
    );
    return {
      label,
      items: labelled.length,
      ...(annotators.length === 2
        ? { cohen_kappa: cohenKappa(ratings[0] ?? [], ratings[1] ?? []) }
        : {}),
      krippendorff_alpha: krippendorffAlpha(ratings),
      disagreements,
    };
  });
}

/** A label as a string (another JSON value as its JSON); undefined when absent or null. */
function labelOf(record: Readonly<Record<string, unknown>> | undefined, field: string) {
  const value = record?.[field];
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}
