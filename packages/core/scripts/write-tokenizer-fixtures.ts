// Writes the tokenizer fixtures that the tokenizer tests load:
//   npx tsx scripts/write-tokenizer-fixtures.ts   (from packages/core)
import { join } from 'node:path';
import {
  TOKENIZER_FIXTURES,
  writeFixtureFolder,
} from '../src/tokenizer/tokenizer-fixtures.test-utils.js';

const root = join(import.meta.dirname, '..', 'test', 'fixtures', 'tokenizers');
for (const [name, build] of Object.entries(TOKENIZER_FIXTURES)) {
  await writeFixtureFolder(join(root, name), build());
  console.log(`wrote ${join(root, name)}`);
}
