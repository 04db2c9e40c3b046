import { UserError } from '@tunekit/core';
import { WORKLOADS, type Workload } from './workloads.js';

/** The workload named `id`; an unknown id lists the known ones. */
export function workloadById(id: string | undefined): Workload {
  const w = WORKLOADS.find((x) => x.id === id);
  if (!w)
    throw new UserError(
      `unknown workload '${id}'; workloads: ${WORKLOADS.map((x) => x.id).join(', ')}`,
    );
  return w;
}
