import { type DType, ops, type Shape, sizeOf, type Tensor } from '../graph/index.js';

/** One parameter's place in a flat chunk: elements [offset, offset + size) in row-major order. */
export interface FlatMember {
  readonly name: string;
  readonly shape: Shape;
  readonly offset: number;
  readonly size: number;
}

/**
 * Parameters of one group and dtype laid end to end in one 1-D buffer, so that clipping, the
 * optimizer and gradient accumulation are a few ops over the chunk instead of a few per tensor
 * (llm.c's flat parameter buffer; DESIGN.md, "State"). Its optimizer state is `<name>.<state>`.
 */
export interface FlatChunk {
  /** `flat:<group>:<k>` or `flat:<group>:<key>:<k>`: a colon never occurs in a Hugging Face parameter name. */
  readonly name: string;
  readonly group: number;
  readonly dtype: DType;
  readonly size: number;
  readonly members: readonly FlatMember[];
}

/**
 * Elements of one chunk, unless one tensor alone is larger (it then is a chunk by itself): 16 MB
 * in f32. The bound keeps what concatenating costs (a copy of the chunk's gradients and
 * parameters) small beside a fully fine-tuned model; a LoRA model's adapters fit in one chunk.
 */
export const FLAT_CHUNK_ELEMENTS = 1 << 22;

/**
 * Lays parameters out in chunks: in the order given, per group, dtype and `key`, each chunk filled
 * up to `maxElements` (a tensor larger than that is a chunk of its own, so 1 gives one chunk per
 * tensor). Parameters with different keys never share a chunk, and the key is in the chunk's name.
 */
export function planFlatChunks(
  params: readonly { name: string; shape: Shape; dtype: DType; group: number; key?: string }[],
  maxElements: number = FLAT_CHUNK_ELEMENTS,
): FlatChunk[] {
  const open = new Map<
    string,
    { group: number; dtype: DType; key?: string; members: FlatMember[] }[]
  >();
  for (const p of params) {
    const key = `${p.group}:${p.dtype}:${p.key ?? ''}`;
    const chunks = open.get(key) ?? [];
    open.set(key, chunks);
    const size = sizeOf(p.shape);
    let last = chunks.at(-1);
    const used = last ? fill(last.members) : 0;
    if (!last || (used > 0 && used + size > maxElements)) {
      last = { group: p.group, dtype: p.dtype, key: p.key, members: [] };
      chunks.push(last);
    }
    last.members.push({ name: p.name, shape: p.shape, offset: fill(last.members), size });
  }
  return [...open.values()].flatMap((chunks) =>
    chunks.map((c, k) => ({
      name: `flat:${c.group}:${c.key === undefined ? '' : `${c.key}:`}${k}${c.dtype === 'f32' ? '' : `:${c.dtype}`}`,
      group: c.group,
      dtype: c.dtype,
      size: fill(c.members),
      members: c.members,
    })),
  );
}

function fill(members: readonly FlatMember[]): number {
  const last = members.at(-1);
  return last ? last.offset + last.size : 0;
}

/** The members' tensors (by name) flattened and concatenated into the chunk's 1-D layout. */
export function joinFlat(chunk: FlatChunk, tensorOf: (name: string) => Tensor): Tensor {
  const flat = chunk.members.map((m) => {
    const t = tensorOf(m.name);
    return t.rank === 1 ? t : t.reshape([m.size]);
  });
  return flat.length === 1 ? flat[0] : ops.concat(flat, 0);
}

/** A chunk-shaped tensor cut back into its members' tensors, by member name. */
export function splitFlat(chunk: FlatChunk, flat: Tensor): Record<string, Tensor> {
  return Object.fromEntries(
    chunk.members.map((m) => {
      const part = chunk.members.length === 1 ? flat : flat.slice([m.offset], [m.offset + m.size]);
      return [m.name, m.shape.length === 1 ? part : part.reshape(m.shape)];
    }),
  );
}
