import { UserError } from '@tunekit/core';

type QloraPackage = typeof import('@tunekit/peft-qlora');

/**
 * @tunekit/peft-qlora, which `tunekit quantize` and merging into a 4-bit base need. It is not a
 * dependency of the CLI (teams without QLoRA do not install it): users add it beside tunekit, and
 * a command that needs it says so. `what` names the command or the case, for the error.
 */
export async function importQlora(what: string): Promise<QloraPackage> {
  try {
    return await import('@tunekit/peft-qlora');
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (
      code === 'ERR_MODULE_NOT_FOUND' &&
      String((error as Error).message).includes('peft-qlora')
    ) {
      throw new UserError(
        `${what} needs @tunekit/peft-qlora, which is not installed; install it beside tunekit (npm install @tunekit/peft-qlora)`,
      );
    }
    throw error;
  }
}
