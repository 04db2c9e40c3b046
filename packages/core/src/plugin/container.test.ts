import '../reflect.js';
import { container as globalContainer } from 'tsyringe';
import { describe, expect, it, vi } from 'vitest';
import type { Backend } from '../backend/backend.js';
import { UserError } from '../errors/index.js';
import { checkCoreRange, createContainer, createRunContainer } from './container.js';
import { CORE_VERSION } from './core-version.js';
import type { Logger, PeftMethod } from './extension-points.js';
import type { TunekitPlugin } from './plugin.js';
import { listIds } from './registry.js';
import { TOKENS } from './tokens.js';

function peftPlugin(name: string, id: string, coreRange = `^${CORE_VERSION}`): TunekitPlugin {
  const method = { id, prefix: `${id}_`, isPromptLearning: false } as unknown as PeftMethod;
  return {
    name,
    coreRange,
    register: (c) => void c.register(TOKENS.PeftMethod, { useValue: method }),
  };
}

describe('createContainer', () => {
  it('registers every plugin', () => {
    const root = createContainer([peftPlugin('a', 'lora'), peftPlugin('b', 'ia3')]);
    expect(listIds(root, TOKENS.PeftMethod)).toEqual(['ia3', 'lora']);
  });

  it('gives independent containers and leaves the global container untouched', () => {
    const first = createContainer([peftPlugin('a', 'lora')]);
    const second = createContainer([peftPlugin('b', 'ia3')]);
    expect(listIds(first, TOKENS.PeftMethod)).toEqual(['lora']);
    expect(listIds(second, TOKENS.PeftMethod)).toEqual(['ia3']);
    expect(listIds(createContainer([]), TOKENS.PeftMethod)).toEqual([]);
    for (const token of Object.values(TOKENS))
      expect(globalContainer.isRegistered<unknown>(token, true)).toBe(false);
  });

  it('rejects a plugin built for another core, naming both versions', () => {
    const run = () => createContainer([peftPlugin('tunekit-peft-old', 'old', '^0.0.3')]);
    expect(run).toThrow(UserError);
    expect(run).toThrow(
      `plugin 'tunekit-peft-old' needs @tunekit/core ^0.0.3, but @tunekit/core is ${CORE_VERSION}; ` +
        `install a version of 'tunekit-peft-old' built for @tunekit/core ${CORE_VERSION}`,
    );
  });

  it('checks ranges with semver, including prereleases of core', () => {
    expect(() => checkCoreRange({ name: 'p', coreRange: '>=0.1.0 <0.3.0' }, '0.2.9')).not.toThrow();
    expect(() => checkCoreRange({ name: 'p', coreRange: '^0.2.0' }, '0.2.1-next.0')).not.toThrow();
    expect(() => checkCoreRange({ name: 'p', coreRange: '^0.2.0' }, '0.3.0')).toThrow(/0\.3\.0/);
    expect(() => checkCoreRange({ name: 'p', coreRange: 'latest' })).toThrow(
      /'latest', which is not a semver range/,
    );
  });

  it('rejects a malformed plugin before registering any plugin', () => {
    const register = vi.fn();
    const malformed = { name: 'tunekit-broken', coreRange: '^0.1.0' } as unknown as TunekitPlugin;
    const run = () => createContainer([{ name: 'ok', coreRange: '*', register }, malformed]);
    expect(run).toThrow(
      /^plugin 'tunekit-broken' does not export `plugin` with name, coreRange and register/,
    );
    expect(register).not.toHaveBeenCalled();
  });

  it('rejects a plugin listed twice and wraps a failing register', () => {
    expect(() => createContainer([peftPlugin('a', 'lora'), peftPlugin('a', 'lora')])).toThrow(
      "plugin 'a' is listed twice",
    );
    const failing: TunekitPlugin = {
      name: 'tunekit-bad',
      coreRange: '*',
      register: () => {
        throw new Error('boom');
      },
    };
    expect(() => createContainer([failing])).toThrow(
      "plugin 'tunekit-bad' failed to register: boom",
    );
  });
});

describe('createRunContainer', () => {
  const logger: Logger = { info: () => {}, warn: () => {} };

  it('holds the run-scoped values on a child, and disposing it disposes the backend', async () => {
    const root = createContainer([peftPlugin('a', 'lora')]);
    const dispose = vi.fn();
    const backend = { id: 'fake', dispose } as unknown as Backend;
    const run = createRunContainer(root, { backend, logger });
    expect(run.resolve(TOKENS.Backend)).toBe(backend);
    expect(run.resolve(TOKENS.Logger)).toBe(logger);
    expect(listIds(run, TOKENS.PeftMethod)).toEqual(['lora']);
    expect(root.isRegistered(TOKENS.Backend, true)).toBe(false);
    await run.dispose();
    expect(dispose).toHaveBeenCalledTimes(1);
  });
});
