import { type Module, type Parameter, UnaryModule } from '../nn/index.js';
import type { HostTensor } from '../tensor/index.js';

const ADAPTER_LAYER = Symbol.for('tunekit.AdapterLayer');

/**
 * A module that a PEFT method put in place of a base module, holding one or more named adapters
 * (PEFT's `BaseTunerLayer`). `PeftModel` drives every adapter layer of a model through this
 * contract, whatever the method: which adapters are active, enabling, merging, deleting, unloading,
 * and which parameters an adapter saves.
 */
export abstract class AdapterLayer extends UnaryModule {
  // a brand rather than `instanceof`, so two copies of @tunekit/core still recognise each other's layers
  readonly [ADAPTER_LAYER] = true;
  /** False gives the base module's exact output (PEFT's `disable_adapters`). */
  enabled = true;
  /** Dropout and other training-only behaviour apply only while true (torch's `module.training`). */
  training = false;
  /**
   * While true, each active adapter applies only to the rows its `adapter_rows.<name>` input
   * selects (`adapterRowMask`); only layers that `supportsPerRowAdapters` are set so.
   */
  perRowAdapters = false;
  private active: readonly string[] = [];

  /** The id of the PEFT method that made this layer ('lora'). */
  abstract readonly method: string;

  /** Names of the adapters this layer holds. */
  abstract adapterNames(): string[];

  /**
   * Parameters of adapter `name`, keyed as PEFT saves them relative to this layer: without the
   * adapter name (`lora_A.weight`, `lora_magnitude_vector`). Empty when the layer lacks the adapter.
   */
  abstract adapterState(name: string): [string, Parameter][];

  /**
   * What is saved of adapter `name`, keyed as `adapterState`, when that is not its parameters'
   * values: prefix tuning saves its projection's output, as PEFT does. Absent: the parameters.
   */
  savedAdapterState?(name: string): Promise<[string, HostTensor][]>;

  abstract deleteAdapter(name: string): void;

  /** Folds adapters into the base weights; forward then runs the base module alone. */
  abstract merge(names: readonly string[]): void;

  /** Takes every merged adapter back out of the base weights, last merged first. */
  abstract unmerge(): void;

  abstract mergedAdapters(): readonly string[];

  /**
   * The module to put back in this layer's place when the adapters are unloaded; undefined for a
   * layer that was added rather than put in a module's place (a prompt encoder), which unloading removes.
   */
  abstract baseLayer(): Module | undefined;

  /** Whether forward can apply adapters per row (`perRowAdapters`); false unless a method says so. */
  supportsPerRowAdapters(): boolean {
    return false;
  }

  /** Adapters used in forward. Names the layer does not hold are kept and skipped, as in PEFT. */
  get activeAdapters(): readonly string[] {
    return this.active;
  }

  setActiveAdapters(names: readonly string[]): void {
    this.active = [...names];
  }
}

export function isAdapterLayer(module: Module): module is AdapterLayer {
  return (module as Partial<Record<typeof ADAPTER_LAYER, boolean>>)[ADAPTER_LAYER] === true;
}
