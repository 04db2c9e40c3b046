import { UserError } from '@tunekit/core';
import {
  type SessionWorkload,
  type TrainerWorkload,
  WORKLOADS,
  type Workload,
} from './workloads.js';

export type AnyWorkload = Workload | TrainerWorkload | SessionWorkload;

/** The workload named `id`; an unknown id lists the known ones. */
export function workloadById(id: string | undefined): AnyWorkload {
  const w = WORKLOADS.find((x) => x.id === id);
  if (!w)
    throw new UserError(
      `unknown workload '${id}'; workloads: ${WORKLOADS.map((x) => x.id).join(', ')}`,
    );
  return w;
}

/** The workload named `id`, which must be of `kind` (a child process runs one kind). */
export function workloadOfKind<K extends AnyWorkload['kind']>(
  id: string | undefined,
  kind: K,
): Extract<AnyWorkload, { kind: K }> {
  const w = workloadById(id);
  if (w.kind !== kind) throw new UserError(`workload '${id}' is a ${w.kind} workload, not ${kind}`);
  return w as Extract<AnyWorkload, { kind: K }>;
}
