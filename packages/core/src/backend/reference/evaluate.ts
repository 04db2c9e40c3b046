import type { Graph } from '../../graph/node.js';
import type { HostTensor } from '../../tensor/index.js';
import { ReferenceBackend } from './reference-backend.js';
import type { Precision } from './storage.js';

/** Runs a graph once on a fresh reference backend: the shortest way to a value in tests. */
export async function evaluate(
  graph: Graph,
  feeds: Readonly<Record<string, HostTensor>>,
  precision: Precision = 'f32',
): Promise<Record<string, HostTensor>> {
  const backend = new ReferenceBackend({ precision });
  return backend.compile(graph).run(feeds);
}
