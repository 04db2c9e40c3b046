import { WebGpuBackend } from '@tunekit/backend-webgpu';
import { Chat } from './chat.js';
import { type Example, tokenizeJsonl } from './data.js';
import { downloadFiles } from './download.js';
import { finetune } from './finetune.js';
import { loadLoraModel } from './lora-model.js';
import { LossChart } from './loss-chart.js';

// The page's state is mirrored in <body data-state>: loading, ready, training, trained, answered,
// error. Tests wait for it (and read the losses from data-losses); people read #status.

const MODEL_URL = 'models/tunekit-tiny-chat/';
const DATA_URL = 'data/train.jsonl';
const SEED = 42;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const numberIn = (id: string) => Number($<HTMLInputElement>(id).value);

function setState(state: string, status: string): void {
  document.body.dataset.state = state;
  $('status').textContent = status;
}

async function main(): Promise<void> {
  setState('loading', 'Loading the model and the WebGPU adapter…');
  const [model, backend, quickstart] = await Promise.all([
    loadLoraModel(MODEL_URL, SEED),
    WebGpuBackend.create(),
    fetch(DATA_URL).then((r) => r.text()),
  ]);
  const maxLength = () => Math.min(numberIn('max-length'), model.peft.model.shape.maxPositions);
  let data = { name: 'quickstart train.jsonl', text: quickstart };
  const showData = () => {
    const n = tokenizeJsonl(data.text, data.name, model.tokenizer, maxLength()).length;
    $('data-info').textContent = `${data.name}: ${n} examples`;
  };
  showData();
  useDroppedFiles(async (file) => {
    data = { name: file.name, text: await file.text() };
    showData();
  });

  let chat: Chat | undefined;
  $('train').addEventListener('click', () =>
    run(async () => {
      $<HTMLButtonElement>('train').disabled = true;
      const examples: Example[] = tokenizeJsonl(data.text, data.name, model.tokenizer, maxLength());
      const steps = numberIn('steps');
      const chart = new LossChart($<HTMLElement>('chart') as unknown as SVGSVGElement, steps);
      const progress = $<HTMLProgressElement>('progress');
      const losses: number[] = [];
      setState('training', `Training on ${backend.gpu.adapterInfo}…`);
      await finetune(model.peft, backend, examples, {
        steps,
        batchSize: Math.min(numberIn('batch'), examples.length),
        learningRate: numberIn('lr'),
        maxLength: Math.max(...examples.map((e) => e.input_ids.length)),
        warmupSteps: Math.floor(steps / 10),
        seed: SEED,
        onStep(step, loss) {
          losses.push(loss);
          chart.add(loss);
          progress.value = step / steps;
          $('status').textContent =
            `Training on ${backend.gpu.adapterInfo}: step ${step} of ${steps}`;
          document.body.dataset.losses = JSON.stringify(losses);
        },
      });
      chat = new Chat(model, backend);
      $<HTMLButtonElement>('send').disabled = false;
      $<HTMLButtonElement>('download').disabled = false;
      setState(
        'trained',
        `Trained ${steps} steps: loss ${losses[0].toFixed(3)} → ${losses.at(-1)?.toFixed(3)}`,
      );
    }),
  );
  $('chat').addEventListener('submit', (event) => {
    event.preventDefault();
    run(async () => {
      const message = $<HTMLInputElement>('message').value;
      const reply = (await chat?.answer(message)) ?? '';
      const p = document.createElement('p');
      p.textContent = `${message} → ${reply}`;
      p.dataset.answer = reply;
      $('answers').append(p);
      setState('answered', 'Answered.');
    });
  });
  $('download').addEventListener('click', () =>
    run(async () =>
      downloadFiles(await model.peft.savedFiles({ baseModelNameOrPath: 'tunekit-tiny-chat' })),
    ),
  );
  $<HTMLButtonElement>('train').disabled = false;
  setState('ready', `Ready: ${backend.gpu.adapterInfo}.`);
}

/** Runs a step of the page; an error is shown (and put in data-state) instead of lost. */
function run(task: () => Promise<void>): void {
  task().catch((error: unknown) => {
    $('error').textContent = error instanceof Error ? error.message : String(error);
    setState('error', 'Failed.');
  });
}

/** Calls `use` with a JSONL file dropped on #drop or chosen in #file. */
function useDroppedFiles(use: (file: File) => Promise<void>): void {
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const file = e.dataTransfer?.files[0];
    if (file) run(() => use(file));
  });
  $<HTMLInputElement>('file').addEventListener('change', (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) run(() => use(file));
  });
}

run(main);
