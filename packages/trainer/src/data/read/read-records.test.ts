import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { arrayElements } from './array-elements.js';
import { expandPaths } from './expand-paths.js';
import { type RawRecord, type ReadLimits, readRecords } from './read-records.js';

async function folder(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tunekit-read-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

async function readAll(
  dir: string,
  name: string,
  limits?: ReadLimits,
): Promise<{ records: RawRecord[]; sha256: string }> {
  const hash = createHash('sha256');
  const records: RawRecord[] = [];
  for await (const r of readRecords({ path: name, absolute: join(dir, name) }, hash, limits))
    records.push(r);
  return { records, sha256: hash.digest('hex') };
}

describe('readRecords', () => {
  it('streams JSON Lines: blank lines skipped, a BOM dropped, a bad line reported by line', async () => {
    const text = '\uFEFF{"text": "a"}\n\n{"text": "b"}\r\n{"text": \n[1, 2]\n';
    const dir = await folder({ 'd.jsonl': text });
    const { records, sha256 } = await readAll(dir, 'd.jsonl');
    expect(records.slice(0, 2)).toEqual([
      { where: 'd.jsonl:1', record: { text: 'a' } },
      { where: 'd.jsonl:3', record: { text: 'b' } },
    ]);
    expect(records[2]).toMatchObject({ where: 'd.jsonl:4' });
    expect('invalid' in records[2] && records[2].invalid).toMatch(/^d\.jsonl:4: not valid JSON \(/);
    expect(records[3]).toEqual({ where: 'd.jsonl:5', record: [1, 2] });
    expect(sha256).toBe(createHash('sha256').update(text).digest('hex'));
  });

  it('reads a JSON array, naming each record by the line it starts on', async () => {
    const text = '[\n  {"text": "a"},\n  {\n    "text": "b"\n  }, {"text": "c"}\n]\n';
    const dir = await folder({ 'd.json': text });
    const { records } = await readAll(dir, 'd.json');
    expect(records.map((r) => r.where)).toEqual([
      'd.json:2 (record 1)',
      'd.json:3 (record 2)',
      'd.json:5 (record 3)',
    ]);
  });

  it('reads a .json file of JSON Lines (what datasets to_json writes) as JSON Lines', async () => {
    const dir = await folder({ 'd.json': '{"text": "a"}\n{"text": "b"}\n' });
    expect((await readAll(dir, 'd.json')).records).toHaveLength(2);
  });

  it('reports a bad element of an array by its line, and reads the others', async () => {
    const dir = await folder({
      'd.json': '[\n  {"text": "a"},\n  {"text": },\n  {"text": "c"},\n]',
    });
    const { records } = await readAll(dir, 'd.json');
    expect(records[0]).toEqual({ where: 'd.json:2 (record 1)', record: { text: 'a' } });
    expect('invalid' in records[1] && records[1].invalid).toMatch(
      /^d\.json:3 \(record 2\): not valid JSON \(/,
    );
    expect(records[2]).toEqual({ where: 'd.json:4 (record 3)', record: { text: 'c' } });
    expect(records[3]).toEqual({
      where: 'd.json:5 (record 4)',
      invalid: 'd.json:5 (record 4): an empty element (a comma too many)',
    });
  });
});

describe('readRecords on bytes that are not UTF-8', () => {
  // A literal U+FFFD (escaped and as bytes) is text; Latin-1 "café" (0xe9), a lone continuation
  // byte and a sequence cut short are not UTF-8.
  const bytesOf = (...parts: (string | number)[]) =>
    Buffer.concat(parts.map((p) => (typeof p === 'number' ? Buffer.from([p]) : Buffer.from(p))));
  const lines = [
    bytesOf('{"text": "ok \\uFFFD � é 😀"}\r\n'),
    bytesOf('{"text": "caf', 0xe9, '"}\n'),
    bytesOf('{"text": "b', 0x80, '"}\n'),
    bytesOf('{"text": "c"}\n'),
    bytesOf('{"text": "d', 0xe2, 0x82, '"}\n'),
  ];
  const bytes = Buffer.concat(lines);

  it('makes a JSON Lines line with invalid bytes an invalid record naming the byte offset', async () => {
    const dir = await folder({ 'd.jsonl': bytes });
    const { records, sha256 } = await readAll(dir, 'd.jsonl');
    /** The file offset of `byte` in line `i` (0-based). */
    const at = (i: number, byte: number) =>
      Buffer.concat(lines.slice(0, i)).length + lines[i].indexOf(byte);
    expect(records).toEqual([
      { where: 'd.jsonl:1', record: { text: 'ok \uFFFD \uFFFD é 😀' } },
      {
        where: 'd.jsonl:2',
        invalid: `d.jsonl:2: not valid UTF-8 (byte 0xe9 at byte offset ${at(1, 0xe9)} of the file); save the file as UTF-8`,
      },
      {
        where: 'd.jsonl:3',
        invalid: `d.jsonl:3: not valid UTF-8 (byte 0x80 at byte offset ${at(2, 0x80)} of the file); save the file as UTF-8`,
      },
      { where: 'd.jsonl:4', record: { text: 'c' } },
      {
        where: 'd.jsonl:5',
        invalid: `d.jsonl:5: not valid UTF-8 (byte 0xe2 at byte offset ${at(4, 0xe2)} of the file); save the file as UTF-8`,
      },
    ]);
    expect(sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('makes an element of a JSON array with invalid bytes an invalid record', async () => {
    const array = Buffer.concat([
      Buffer.from('[\n{"text": "a"},\n{\n"text": "caf'),
      Buffer.from([0xe9]),
      Buffer.from('"},\n{"text": "b"}]\n'),
    ]);
    const dir = await folder({ 'd.json': array });
    const { records } = await readAll(dir, 'd.json');
    expect(records).toEqual([
      { where: 'd.json:2 (record 1)', record: { text: 'a' } },
      {
        where: 'd.json:3 (record 2)',
        invalid: `d.json:3 (record 2): not valid UTF-8 (byte 0xe9 at byte offset ${array.indexOf(0xe9)} of the file); save the file as UTF-8`,
      },
      { where: 'd.json:5 (record 3)', record: { text: 'b' } },
    ]);
  });

  it('makes a line over the size limit an invalid record, reading the lines after it', async () => {
    const long = `{"text": "${'x'.repeat(5000)}"}`;
    const dir = await folder({ 'd.jsonl': `{"text": "a"}\n${long}\n{"text": "b"}` });
    const { records } = await readAll(dir, 'd.jsonl', { maxLineBytes: 4096 });
    expect(records).toEqual([
      { where: 'd.jsonl:1', record: { text: 'a' } },
      {
        where: 'd.jsonl:2',
        invalid: 'd.jsonl:2: the line is 5012 bytes long, over the limit of 4096 bytes',
      },
      { where: 'd.jsonl:3', record: { text: 'b' } },
    ]);
  });
});

describe('arrayElements', () => {
  it('splits top-level elements, skipping brackets, braces and commas inside strings', () => {
    expect(arrayElements('[\n"a,[{",\n{"b": "]\\"}"},\n3]', 'd.json')).toEqual([
      { line: 2, text: '"a,[{"' },
      { line: 3, text: '{"b": "]\\"}"}' },
      { line: 4, text: '3' },
    ]);
    expect(arrayElements(' [ ] \n', 'd.json')).toEqual([]);
  });

  it('fails on an array never closed, or text after it', () => {
    expect(() => arrayElements('[{"a": 1}', 'd.json')).toThrow(
      "d.json: the JSON array is not closed with ']'",
    );
    expect(() => arrayElements('[1]\n[2]', 'd.json')).toThrow(
      'd.json:2: unexpected text after the JSON array',
    );
  });
});

describe('expandPaths', () => {
  it('expands globs in sorted order and reads a file named twice once', async () => {
    const dir = await folder({ 'b.jsonl': '', 'a.jsonl': '', 'c.txt': '' });
    const files = await expandPaths(['*.jsonl', 'a.jsonl'], dir);
    expect(files.map((f) => f.path)).toEqual(['a.jsonl', 'b.jsonl']);
  });

  it('names a missing file and a glob that matches nothing', async () => {
    const dir = await folder({});
    await expect(expandPaths(['train.jsonl'], dir)).rejects.toThrow(
      `train.jsonl (from ${dir}): no such data file; expected a JSONL or JSON file, or a glob such as data/*.jsonl`,
    );
    await expect(expandPaths(['data/*.jsonl'], dir)).rejects.toThrow(
      `data/*.jsonl: the pattern matches no file (searched from ${dir})`,
    );
  });
});
