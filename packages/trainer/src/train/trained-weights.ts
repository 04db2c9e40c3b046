import { join } from 'node:path';
import {
  HF_WEIGHTS_FILE,
  type HostTensor,
  type Module,
  type PeftModel,
  readAdapterFolder,
  SafetensorsFile,
  UserError,
  writeSafetensors,
} from '@tunekit/core';

/** What a checkpoint stores of the model: the adapter (PEFT) or every weight (full fine-tuning). */
export interface TrainedWeights {
  readonly kind: 'adapter' | 'full';
  /** Writes the model's current host values into checkpoint folder `dir`. */
  save(dir: string): Promise<void>;
  /** Sets the model's parameters from checkpoint folder `dir`. */
  load(dir: string): Promise<void>;
}

/** PEFT's adapter folder: `adapter_config.json` + `adapter_model.safetensors`. */
export function adapterWeights(peft: PeftModel): TrainedWeights {
  return {
    kind: 'adapter',
    save: (dir) => peft.save(dir),
    async load(dir) {
      const { tensors } = await readAdapterFolder(dir);
      peft.loadStateDict(tensors, peft.activeAdapter, dir);
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
      const file = await SafetensorsFile.open(path);
      try {
        const tensors = new Map<string, HostTensor>();
        for (const name of file.keys()) tensors.set(name, await file.read(name));
        model.loadStateDict(tensors);
      } catch (err) {
        if (err instanceof UserError)
          throw new UserError(`${path}: ${err.message}`, { cause: err });
        throw err;
      } finally {
        await file.close();
      }
    },
  };
}
