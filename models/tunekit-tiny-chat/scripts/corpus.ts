/**
 * The pretraining corpus of tunekit-tiny-chat, generated from a seed: plain-text sums of two
 * numbers 0-99 in several phrasings, plain-text facts about a small world, and ChatML chats about
 * that world. No chat mentions a number, so the model can add in prose but has never answered an
 * arithmetic question in a chat: that is what the quickstart fine-tune teaches.
 */

/** A document of the corpus; documents are joined by `<|endoftext|>` when packed. */
export type Document = string;

type Random = () => number;

export const pick = <T>(random: Random, xs: readonly T[]): T =>
  xs[Math.floor(random() * xs.length)];

export const randomInt = (random: Random, lo: number, hi: number): number =>
  lo + Math.floor(random() * (hi - lo + 1));

/** Operands of every sum in the corpus and in the quickstart set. */
export const MAX_OPERAND = 99;

/**
 * The short form most often (the more sums per step, the sooner a model this small learns to add),
 * and questions answered in prose, so the answer comes at several distances from the operands.
 */
const SUM_PHRASINGS: readonly ((a: number, b: number, s: number) => string)[] = [
  (a, b, s) => `${a} + ${b} = ${s}`,
  (a, b, s) => `${a} + ${b} = ${s}`,
  (a, b, s) => `${a} plus ${b} is ${s}.`,
  (a, b, s) => `The sum of ${a} and ${b} is ${s}.`,
  (a, b, s) => `What is ${a} + ${b}? It is ${s}.`,
  (a, b, s) => `What is ${a} plus ${b}? The answer is ${s}.`,
  (a, b, s) => `Q: Add ${a} and ${b}.\nA: The sum is ${s}.`,
];

function sumDocument(random: Random): Document {
  const a = randomInt(random, 0, MAX_OPERAND);
  const b = randomInt(random, 0, MAX_OPERAND);
  return pick(random, SUM_PHRASINGS)(a, b, a + b);
}

// the world the facts and chats talk about
const COLOURS: readonly [string, string][] = [
  ['the sky', 'blue'],
  ['grass', 'green'],
  ['snow', 'white'],
  ['the sun', 'yellow'],
  ['a banana', 'yellow'],
  ['a tomato', 'red'],
  ['coal', 'black'],
  ['an orange', 'orange'],
  ['a plum', 'purple'],
  ['milk', 'white'],
  ['a leaf', 'green'],
  ['the sea', 'blue'],
];
const SOUNDS: readonly [string, string][] = [
  ['cow', 'moo'],
  ['dog', 'woof'],
  ['cat', 'meow'],
  ['duck', 'quack'],
  ['sheep', 'baa'],
  ['owl', 'hoot'],
  ['horse', 'neigh'],
  ['frog', 'croak'],
];
const CAPITALS: readonly [string, string][] = [
  ['France', 'Paris'],
  ['Spain', 'Madrid'],
  ['Italy', 'Rome'],
  ['Japan', 'Tokyo'],
  ['Egypt', 'Cairo'],
  ['Peru', 'Lima'],
  ['Kenya', 'Nairobi'],
  ['Norway', 'Oslo'],
  ['Canada', 'Ottawa'],
  ['Germany', 'Berlin'],
];
const OPPOSITES: readonly [string, string][] = [
  ['hot', 'cold'],
  ['big', 'small'],
  ['up', 'down'],
  ['fast', 'slow'],
  ['happy', 'sad'],
  ['light', 'dark'],
  ['old', 'new'],
  ['open', 'closed'],
  ['early', 'late'],
  ['wet', 'dry'],
];

const cap = (s: string) => s[0].toUpperCase() + s.slice(1);

/** One fact as [question, answer] and as a plain sentence. */
interface Fact {
  readonly question: string;
  readonly answer: string;
  readonly sentence: string;
}

function fact(random: Random): Fact {
  switch (randomInt(random, 0, 3)) {
    case 0: {
      const [thing, colour] = pick(random, COLOURS);
      const sentence = `${cap(thing)} is ${colour}.`;
      return { question: `What colour is ${thing}?`, answer: sentence, sentence };
    }
    case 1: {
      const [animal, sound] = pick(random, SOUNDS);
      const sentence = `A ${animal} says ${sound}.`;
      return { question: `What does a ${animal} say?`, answer: sentence, sentence };
    }
    case 2: {
      const [country, city] = pick(random, CAPITALS);
      const sentence = `The capital of ${country} is ${city}.`;
      return { question: `What is the capital of ${country}?`, answer: sentence, sentence };
    }
    default: {
      const [word, opposite] = pick(random, OPPOSITES);
      const sentence = `The opposite of ${word} is ${opposite}.`;
      return { question: `What is the opposite of ${word}?`, answer: sentence, sentence };
    }
  }
}

/** Small talk: user turns with the assistant replies that fit them. */
const SMALL_TALK: readonly [readonly string[], readonly string[]][] = [
  [
    ['Hello!', 'Hi!', 'Hi there.', 'Good morning.', 'Hey.'],
    ['Hello! How can I help you?', 'Hi! What can I do for you?', 'Hello there.'],
  ],
  [
    ['What is your name?', 'Who are you?'],
    ['I am Tiny, a small chat model.', 'My name is Tiny.'],
  ],
  [
    ['How are you?', 'How are you today?'],
    ['I am fine, thank you.', 'I am well, thanks for asking.'],
  ],
  [
    ['Thank you.', 'Thanks!', 'Thanks a lot.'],
    ['You are welcome.', 'Glad to help.'],
  ],
  [
    ['Goodbye.', 'Bye!', 'See you later.'],
    ['Goodbye!', 'Bye! Have a nice day.'],
  ],
  [
    ['Tell me a fact.', 'Say something true.'],
    ['The sky is blue.', 'A cat says meow.', 'Snow is white.'],
  ],
];

const SYSTEM_PROMPTS = ['You are a helpful assistant.', 'You are Tiny, a friendly assistant.'];

const turn = (role: string, content: string) => `<|im_start|>${role}\n${content}<|im_end|>\n`;

function exchange(random: Random): [string, string] {
  if (random() < 0.35) {
    const [users, replies] = pick(random, SMALL_TALK);
    return [pick(random, users), pick(random, replies)];
  }
  const f = fact(random);
  return [f.question, f.answer];
}

/** A ChatML chat of one or two exchanges, sometimes with a system turn, rendered as the ChatML template does. */
function chatDocument(random: Random): Document {
  let text = random() < 0.25 ? turn('system', pick(random, SYSTEM_PROMPTS)) : '';
  const exchanges = random() < 0.25 ? 2 : 1;
  for (let i = 0; i < exchanges; i++) {
    const [user, assistant] = exchange(random);
    text += turn('user', user) + turn('assistant', assistant);
  }
  return text.trimEnd();
}

function factDocument(random: Random): Document {
  return fact(random).sentence;
}

/** Share of each kind of document in the corpus. */
export const CORPUS_MIX = { sums: 0.8, chats: 0.15, facts: 0.05 } as const;

/** An endless, reproducible stream of documents. */
export function* corpusDocuments(random: Random): Generator<Document> {
  for (;;) {
    const r = random();
    if (r < CORPUS_MIX.sums) yield sumDocument(random);
    else if (r < CORPUS_MIX.sums + CORPUS_MIX.chats) yield chatDocument(random);
    else yield factDocument(random);
  }
}
