import { access } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DEFAULT_ADAPTER,
  HF_WEIGHTS_FILE,
  type HostTensor,
  type Module,
  type PeftModel,
  readAdapterFolder,
  SafetensorsFile,
  UserError,
  writeSafetensors,
} from '@tunekit/core';

/**
 * Beside PEFT's files in a checkpoint: every tensor the adapter trains, written only when PEFT's
 * adapter file does not hold them as they are (P-tuning's prompt encoder and prefix tuning's
 * projection, of which PEFT saves only the output), so that resuming continues from them.
 */
export const ADAPTER_TRAINING_STATE_FILE = 'adapter_training_state.safetensors';

/** What a checkpoint stores of the model: the adapter (PEFT) or every weight (full fine-tuning). */
export interface TrainedWeights {
  readonly kind: 'adapter' | 'full';
  /** Writes the model's current host values into checkpoint folder `dir`. */
  save(dir: string): Promise<void>;
  /** Sets the model's parameters from checkpoint folder `dir`. */
  load(dir: string): Promise<void>;
}

/**
 * PEFT's adapter folders: every adapter's `adapter_config.json` + `adapter_model.safetensors`
 * ('default' in the checkpoint, others in sub-folders named after them, as PEFT saves several);
 * each active trainable adapter is restored from its folder.
 */
export function adapterWeights(peft: PeftModel): TrainedWeights {
  const trained = () => peft.activeAdapters.filter((name) => peft.isTrainable(name));
  const folderOf = (dir: string, name: string) =>
    name === DEFAULT_ADAPTER ? dir : join(dir, name);
  return {
    kind: 'adapter',
    async save(dir) {
      await peft.save(dir);
      for (const name of trained()) {
        const state = peft.stateDict(name);
        if (!sameTensors(state, await peft.tensorsToSave(name)))
          await writeSafetensors(join(folderOf(dir, name), ADAPTER_TRAINING_STATE_FILE), state, {
            format: 'pt',
          });
      }
    },
    async load(dir) {
      for (const name of trained()) {
        const folder = folderOf(dir, name);
        const state = join(folder, ADAPTER_TRAINING_STATE_FILE);
        const tensors = (await exists(state))
          ? await readAllTensors(state)
          : (await readAdapterFolder(folder)).tensors;
        peft.loadStateDict(tensors, name, folder);
      }
    },
  };
}

/** Every weight of the model in `model.safetensors` under its HF names. */
export function fullWeights(model: Module): TrainedWeights {
  return {
    kind: 'full',
    save: (dir) =>
      writeSafetensors(join(dir, HF_WEIGHTS_FILE), model.stateDict(), { format: 'pt' }),
    async load(dir) {
      const path = join(dir, HF_WEIGHTS_FILE);
      const tensors = await readAllTensors(path);
      try {
        model.loadStateDict(tensors);
      } catch (err) {
        if (err instanceof UserError)
          throw new UserError(`${path}: ${err.message}`, { cause: err });
        throw err;
      }
    },
  };
}

async function readAllTensors(path: string): Promise<Map<string, HostTensor>> {
  const file = await SafetensorsFile.open(path);
  try {
    const tensors = new Map<string, HostTensor>();
    for (const name of file.keys()) tensors.set(name, await file.read(name));
    return tensors;
  } finally {
    await file.close();
  }
}

function sameTensors(
  a: ReadonlyMap<string, HostTensor>,
  b: ReadonlyMap<string, HostTensor>,
): boolean {
  if (a.size !== b.size) return false;
  return [...a].every(([key, t]) => {
    const other = b.get(key);
    if (other === undefined || other.size !== t.size) return false;
    const [x, y] = [t.toFloat64(), other.toFloat64()];
    return x.every((v, i) => v === y[i]);
  });
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );
