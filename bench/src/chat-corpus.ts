import { writeFile } from 'node:fs/promises';
import { seededRandom } from '@tunekit/core';

const WORDS = (
  'the a model token layer weight train data batch loss learn rate step epoch adapter rank ' +
  'matrix vector attention head query key value norm gradient update sample answer question ' +
  'please explain why how what when small large fast slow first last every each other new ' +
  'file line field record chat system user assistant reply turn short long simple clear'
).split(' ');

/**
 * Writes `examples` chat records (`messages`: a system turn on some, a question, an answer of
 * 8 to 48 words) to a JSONL file at `path`, the same for a given seed: stand-ins for a user's
 * chat data, of the lengths that make packing fill its rows.
 */
export async function writeChatCorpus(path: string, examples: number, seed: number) {
  const random = seededRandom(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const sentence = (lo: number, hi: number) =>
    Array.from({ length: int(lo, hi) }, () => WORDS[int(0, WORDS.length - 1)]).join(' ');
  const lines = Array.from({ length: examples }, (_, i) => {
    const messages = [
      ...(i % 3 === 0 ? [{ role: 'system', content: sentence(4, 10) }] : []),
      { role: 'user', content: `${sentence(4, 16)}?` },
      { role: 'assistant', content: `${sentence(8, 48)}.` },
    ];
    return JSON.stringify({ messages });
  });
  await writeFile(path, `${lines.join('\n')}\n`);
}
