/**
 * The packages of tunekit's own PEFT methods, by PEFT's `peft_type`, so that an adapter whose
 * method is not loaded names the package to install. A hint, not a registry: methods register
 * themselves through plugins, and a third party's method is found the same way without an entry.
 */
export const KNOWN_PEFT_PLUGINS: Readonly<Record<string, string>> = Object.freeze({
  LORA: '@tunekit/peft-lora',
  PREFIX_TUNING: '@tunekit/peft-prefix',
  P_TUNING: '@tunekit/peft-prefix',
  PROMPT_TUNING: '@tunekit/peft-prefix',
});

/** What to do about a `peft_type` that no loaded plugin handles: the package to install and load. */
export function peftPluginHint(peftType: unknown): string {
  const known =
    typeof peftType === 'string' && Object.hasOwn(KNOWN_PEFT_PLUGINS, peftType)
      ? KNOWN_PEFT_PLUGINS[peftType]
      : undefined;
  if (known !== undefined)
    return `${peftType} is in ${known}: npm install ${known} and load it (--plugin ${known}, or plugins: [${known}] in the config)`;
  return 'install the plugin package that provides it and load it (--plugin <package>, or plugins: [<package>] in the config)';
}
