import type { Backend } from '../backend/index.js';
import type { Graph } from '../graph/index.js';

/**
 * Makes `backend` remember every graph it compiles, for tests that check what gets compiled and
 * how often; returns that list, which grows as the backend compiles.
 */
export function recordCompiles(backend: Backend): readonly Graph[] {
  const graphs: Graph[] = [];
  const compile = backend.compile.bind(backend);
  backend.compile = (graph) => {
    graphs.push(graph);
    return compile(graph);
  };
  return graphs;
}
