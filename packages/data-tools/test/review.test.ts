import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { join } from 'node:path';
import { readDataManifest } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import {
  arbitrate,
  type ReviewDecision,
  ReviewSession,
  readReviewFile,
  readReviewItems,
  serveReview,
} from '../src/index.js';
import { workFolder, writeJsonl } from './fixtures.js';

const work = await workFolder();

const source = await writeJsonl(join(work, 'drafts.jsonl'), [
  { id: 'q1', prompt: 'What is 2+2?', draft: '5', reference: '4' },
  {
    id: 7,
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Say hi' },
      { role: 'assistant', content: 'Hello there' },
    ],
  },
  { instruction: 'Name a colour', input: 'warm', output: 'red', reference: 'orange' },
  // the trainer's spot-check record of a dialogue turn
  {
    id: 'dialogue:d1:2',
    prompt: 'And in French?',
    response: 'Bonjour',
    reference: '',
    source: 'dialogue',
    meta: {
      history: [
        { role: 'user', content: 'Greet me' },
        { role: 'assistant', content: 'Hello' },
      ],
      passed: true,
      where: 'dialogues.yaml:3',
    },
  },
]);
const sha256 = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

const decision = (id: string, reviewer: string, rest: Partial<ReviewDecision>): ReviewDecision => ({
  id,
  reviewer,
  verdict: 'accept',
  reviewed_at: '2026-12-01T00:00:00.000Z',
  ...rest,
});

describe('readReviewItems', () => {
  it('reads prompt and draft from each record shape, and names records without an id by line', async () => {
    const items = await readReviewItems(source);
    expect(items.map((i) => i.id)).toEqual(['q1', '7', 'line 3', 'dialogue:d1:2']);
    expect(items[0]).toMatchObject({
      prompt: [{ role: 'user', content: 'What is 2+2?' }],
      draft: '5',
      reference: '4',
    });
    // the conversation's last assistant turn is the draft
    expect(items[1]?.prompt.map((t) => t.role)).toEqual(['system', 'user']);
    expect(items[1]?.draft).toBe('Hello there');
    expect(items[2]).toMatchObject({
      prompt: [{ role: 'user', content: 'Name a colour\n\nwarm' }],
      draft: 'red',
      reference: 'orange',
    });
    expect(items[3]).toEqual({
      id: 'dialogue:d1:2',
      where: `${source}:4`,
      prompt: [
        { role: 'user', content: 'Greet me' },
        { role: 'assistant', content: 'Hello' },
        { role: 'user', content: 'And in French?' },
      ],
      draft: 'Bonjour',
      reference: undefined,
      context: [
        ['source', 'dialogue'],
        ['passed', 'true'],
        ['where', 'dialogues.yaml:3'],
      ],
    });
  });

  it('names the line and the field of a bad record', async () => {
    const bad = async (records: unknown[]) =>
      readReviewItems(await writeJsonl(join(work, 'bad.jsonl'), records));
    await expect(bad([{ draft: 'x' }])).rejects.toThrow(/bad\.jsonl:1: .*no prompt/);
    await expect(bad([{ prompt: 'p', draft: 'x' }, { prompt: 'p' }])).rejects.toThrow(
      /bad\.jsonl:2: nothing to review/,
    );
    await expect(
      bad([
        { id: 'a', prompt: 'p', draft: 'x' },
        { id: 'a', prompt: 'q', draft: 'y' },
      ]),
    ).rejects.toThrow(/bad\.jsonl:2: id a appears twice/);
    await expect(bad([{ prompt: 3, draft: 'x' }])).rejects.toThrow(/bad\.jsonl:1: prompt/);
  });
});

describe('ReviewSession', () => {
  it('writes each decision with a manifest, resumes, and leaves the source as it was', async () => {
    const before = await sha256(source);
    const out = join(work, 'review-ann.jsonl');
    const opts = { source, reviewer: 'ann', out, labels: ['good', 'bad'], command: 'review' };
    const session = await ReviewSession.open(opts);
    await session.decide({ id: 'q1', verdict: 'edit', response: '4', label: 'good' });
    await session.decide({ id: 'line 3', verdict: 'accept', comment: 'fine' });
    await session.decide({ id: '7', verdict: 'reject', label: 'bad' });
    // a second decision on a record replaces the first
    await session.decide({ id: 'line 3', verdict: 'reject', label: 'bad' });
    const written = [...(await readReviewFile(out)).values()];
    expect(written.map((d) => [d.id, d.verdict, d.label, d.response])).toEqual([
      ['q1', 'edit', 'good', '4'],
      ['7', 'reject', 'bad', undefined],
      ['line 3', 'reject', 'bad', undefined],
    ]);
    expect(written.every((d) => d.reviewer === 'ann')).toBe(true);
    const manifest = await readDataManifest(out);
    expect(manifest).toMatchObject({
      records: 3,
      format: 'review',
      sha256: await sha256(out),
      inputs: [{ path: source, sha256: before }],
      details: { reviewer: 'ann', to_review: 4, decided: 3, accept: 0, edit: 1, reject: 2 },
    });
    expect(manifest?.details.labels).toEqual({ good: 1, bad: 2 });
    expect(await sha256(source)).toBe(before);

    const resumed = await ReviewSession.open(opts);
    expect(resumed.progress().decided).toBe(3);
    expect(resumed.decision('q1')?.response).toBe('4');
    await expect(ReviewSession.open({ ...opts, reviewer: 'bob' })).rejects.toThrow(
      /holds ann's decisions, not bob's/,
    );
  });

  it('accepts the draft as the answer kept, and refuses bad decisions and outputs', async () => {
    const out = join(work, 'review-cat.jsonl');
    const session = await ReviewSession.open({ source, reviewer: 'cat', out, command: 'review' });
    expect((await session.decide({ id: 'q1', verdict: 'accept' })).response).toBe('5');
    await expect(session.decide({ id: 'q1', verdict: 'edit', response: ' ' })).rejects.toThrow(
      /response: an edit needs the edited response/,
    );
    await expect(session.decide({ id: 'q1', verdict: 'accept', label: 'x' })).rejects.toThrow(
      /label x is not one of \(no labels\)/,
    );
    await expect(session.decide({ id: 'q9', verdict: 'accept' })).rejects.toThrow(/no record q9/);
    await expect(session.decide({ id: 'q1', verdict: 'maybe' })).rejects.toThrow(/verdict/);
    await expect(
      ReviewSession.open({ source, reviewer: 'cat', out: source, command: 'review' }),
    ).rejects.toThrow(/is an input file/);
  });
});

describe('arbitration', () => {
  const items = [{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }].map((i) => ({
    ...i,
    where: 'x',
    prompt: [],
    context: [],
    draft: 'd',
  }));

  it('agrees where every reviewer decided alike, queues differences and lone reviews', () => {
    const ann = new Map([
      ['a', decision('a', 'ann', { label: 'x', response: 'd', comment: 'ok' })],
      ['b', decision('b', 'ann', { verdict: 'edit', response: 'e1' })],
      ['c', decision('c', 'ann', {})],
    ]);
    const bob = new Map([
      [
        'a',
        decision('a', 'bob', { label: 'x', response: 'd', reviewed_at: '2026-12-02T00:00:00Z' }),
      ],
      ['b', decision('b', 'bob', { verdict: 'edit', response: 'e2' })],
    ]);
    const result = arbitrate(items, [ann, bob]);
    expect(result.agreed).toEqual([
      {
        ...decision('a', 'ann', { label: 'x', response: 'd', comment: 'ok' }),
        reviewed_at: '2026-12-02T00:00:00Z',
        resolution: 'agreed',
        reviewers: ['ann', 'bob'],
      },
    ]);
    // two different edits differ; c has one review only; d has none
    expect(result.queue.map((t) => [t.item.id, t.reviews.map((r) => r.reviewer)])).toEqual([
      ['b', ['ann', 'bob']],
      ['c', ['ann']],
    ]);
    expect(result.unreviewed).toBe(1);
  });

  it("writes the resolved file: the agreed records and the arbiter's decisions", async () => {
    const ann = await writeJsonl(join(work, 'arb-ann.jsonl'), [
      decision('q1', 'ann', { verdict: 'reject', label: 'bad' }),
      decision('7', 'ann', { response: 'Hello there', label: 'good' }),
    ]);
    const bob = await writeJsonl(join(work, 'arb-bob.jsonl'), [
      decision('q1', 'bob', { verdict: 'edit', response: '4', label: 'good' }),
      decision('7', 'bob', { response: 'Hello there', label: 'good' }),
    ]);
    const out = join(work, 'resolved.jsonl');
    const opts = { source, reviews: [ann, bob], reviewer: 'cy', out, command: 'arbitrate' };
    const session = await ReviewSession.openArbitration(opts);
    expect(session.tasks.map((t) => t.item.id)).toEqual(['q1']);
    expect(session.labels).toEqual(['bad', 'good']);
    await session.decide({ id: 'q1', verdict: 'edit', response: '4', label: 'good' });
    const resolved = [...(await readReviewFile(out)).values()];
    expect(resolved.map((d) => [d.id, d.reviewer, d.verdict, d.resolution, d.reviewers])).toEqual([
      ['q1', 'cy', 'edit', 'arbitrated', ['ann', 'bob']],
      ['7', 'ann', 'accept', 'agreed', ['ann', 'bob']],
    ]);
    expect((await readDataManifest(out))?.details).toMatchObject({
      mode: 'arbitrate',
      agreed: 1,
      to_arbitrate: 1,
      decided: 1,
    });
    expect((await ReviewSession.openArbitration(opts)).decision('q1')?.verdict).toBe('edit');
    await expect(ReviewSession.openArbitration({ ...opts, out: ann })).rejects.toThrow(
      /is an input file/,
    );
    await writeFile(join(work, 'stray.jsonl'), `${JSON.stringify(decision('zz', 'eve', {}))}\n`);
    await expect(
      ReviewSession.openArbitration({ ...opts, reviews: [ann, join(work, 'stray.jsonl')] }),
    ).rejects.toThrow(/stray\.jsonl: record zz is not in/);
  });
});

describe('serveReview', () => {
  it('serves the page on 127.0.0.1 and takes decisions only as JSON from itself', async () => {
    const out = join(work, 'review-srv.jsonl');
    const session = await ReviewSession.open({ source, reviewer: 'srv', out, command: 'review' });
    const server = await serveReview(session);
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await fetch(server.url);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      const html = await page.text();
      expect(html).toContain('<script src="/review.js" defer></script>');
      expect(html).toContain('<title>Review of drafts.jsonl</title>');
      const state = (await (await fetch(`${server.url}api/session`)).json()) as {
        tasks: unknown[];
      };
      expect(state.tasks).toHaveLength(4);
      const post = (body: unknown, headers: Record<string, string> = {}) =>
        fetch(`${server.url}api/decision`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
        });
      expect(
        (await post({ id: 'q1', verdict: 'accept' }, { origin: 'https://evil.example' })).status,
      ).toBe(403);
      expect(
        (await post({ id: 'q1', verdict: 'accept' }, { 'content-type': 'text/plain' })).status,
      ).toBe(415);
      const bad = await post({ id: 'q1', verdict: 'edit' });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: string }).error).toMatch(
        /an edit needs the edited response/,
      );
      const good = await post({ id: 'q1', verdict: 'accept' }, { origin: server.url.slice(0, -1) });
      expect(((await good.json()) as { progress: { decided: number } }).progress.decided).toBe(1);
      expect((await fetch(`${server.url}nothing`)).status).toBe(404);
      // a name that resolves to 127.0.0.1 (DNS rebinding) is not this server's host
      const rebound = await new Promise<number | undefined>((resolve, reject) =>
        get(`${server.url}api/session`, { headers: { host: 'evil.example' } }, (response) => {
          response.resume();
          resolve(response.statusCode);
        }).on('error', reject),
      );
      expect(rebound).toBe(403);
    } finally {
      await server.close();
    }
  });
});
