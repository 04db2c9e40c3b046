import { UserError } from '@tunekit/core';

/**
 * A classifier's labels as transformers' config holds them: `id2label` ({"0": "even"}) and its
 * inverse `label2id`; `num_labels` is their count.
 */
export class ClassLabels {
  private readonly ids: ReadonlyMap<string, number>;

  constructor(readonly names: readonly string[]) {
    if (names.length < 2)
      throw new UserError(`a classifier needs at least 2 labels, got ${names.length}`);
    this.ids = new Map(names.map((name, id) => [name, id]));
  }

  /**
   * The labels of `id2label` when given (keys 0..n-1), else those the training records hold: their
   * names sorted (an integer label is an id among them), or with integer labels only, 0..max named
   * as transformers names them (LABEL_0, LABEL_1, ...).
   */
  static of(
    id2label: Readonly<Record<string, string>> | undefined,
    seen: readonly unknown[],
  ): ClassLabels {
    if (id2label !== undefined) {
      const names = Object.keys(id2label).map((_, id) => {
        const name = id2label[String(id)];
        if (name === undefined)
          throw new UserError(
            `id2label: keys must be 0..${Object.keys(id2label).length - 1}, missing ${id}`,
          );
        return name;
      });
      return new ClassLabels(names);
    }
    const names = seen.filter((label): label is string => typeof label === 'string');
    if (names.length > 0) return new ClassLabels([...new Set(names)].sort());
    const max = Math.max(...seen.filter((label): label is number => Number.isInteger(label)));
    return new ClassLabels(Array.from({ length: max + 1 }, (_, id) => `LABEL_${id}`));
  }

  get numLabels(): number {
    return this.names.length;
  }

  /** The id of a record's `label`: a name, or an integer id. */
  idOf(label: unknown, where: string): number {
    if (Number.isInteger(label) && (label as number) >= 0 && (label as number) < this.numLabels)
      return label as number;
    const id = typeof label === 'string' ? this.ids.get(label) : undefined;
    if (id === undefined)
      throw new UserError(
        `${where}: label ${JSON.stringify(label)} is not one of ${this.names.map((n) => JSON.stringify(n)).join(', ')} (or an id 0..${this.numLabels - 1})`,
      );
    return id;
  }

  /** transformers' config fields. */
  toConfig(): { id2label: Record<string, string>; label2id: Record<string, number> } {
    return {
      id2label: Object.fromEntries(this.names.map((name, id) => [String(id), name])),
      label2id: Object.fromEntries(this.names.map((name, id) => [name, id])),
    };
  }
}
