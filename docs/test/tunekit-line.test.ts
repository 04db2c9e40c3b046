import { expect, it } from 'vitest';
import { parseTunekitLine } from './tunekit-line.js';

it('reads a tunekit line, with quoted words and text piped in by echo', () => {
  expect(parseTunekitLine('tunekit train "my jobs/a.yaml" --set peft.r=4')).toEqual({
    args: ['train', 'my jobs/a.yaml', '--set', 'peft.r=4'],
  });
  expect(parseTunekitLine('echo "What is 1 + 2?" | tunekit chat -m m')).toEqual({
    args: ['chat', '-m', 'm'],
    stdin: 'What is 1 + 2?\n',
  });
});

it('refuses a line that is not tunekit, or pipes or redirects otherwise', () => {
  for (const line of ['ls runs', 'tunekit eval -m m > out.txt', 'cat q.txt | tunekit chat -m m'])
    expect(() => parseTunekitLine(line), line).toThrow(/cannot run/);
});
