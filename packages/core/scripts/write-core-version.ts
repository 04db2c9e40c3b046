// Writes @tunekit/core's package.json version into src/plugin/core-version.ts, the version each
// plugin's coreRange is checked against. The root `version-packages` script runs it right after
// `changeset version`, so the two never disagree in a release:
//   npx tsx packages/core/scripts/write-core-version.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const core = join(import.meta.dirname, '..');
const { version } = JSON.parse(readFileSync(join(core, 'package.json'), 'utf8'));
const file = join(core, 'src/plugin/core-version.ts');
const declaration = /export const CORE_VERSION = '[^']*';/;
const source = readFileSync(file, 'utf8');
if (!declaration.test(source)) throw new Error(`${file}: no \`export const CORE_VERSION = '…';\``);
writeFileSync(file, source.replace(declaration, `export const CORE_VERSION = '${version}';`));
