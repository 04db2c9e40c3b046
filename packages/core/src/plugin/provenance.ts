import type { DependencyContainer, FactoryProvider, InjectionToken } from 'tsyringe';

// Which plugin registered a value, so that "backend 'onnx' is registered more than once" can name
// the plugins to remove. Keyed by the registered object itself, so it holds across child
// containers; values that are not objects have no provenance.
const registeredBy = new WeakMap<object, string>();

/** The name of the plugin that registered `value`, when it was registered through `withProvenance`. */
export function provenanceOf(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null ? registeredBy.get(value) : undefined;
}

function record<T>(value: T, pluginName: string): T {
  if (typeof value === 'object' && value !== null && !registeredBy.has(value))
    registeredBy.set(value, pluginName);
  return value;
}

function isFactoryProvider<T>(provider: unknown): provider is FactoryProvider<T> {
  return typeof provider === 'object' && provider !== null && 'useFactory' in provider;
}

/**
 * The container as a plugin's `register` sees it: the same container, except that values given to
 * `register` (`useValue`, and what `useFactory` returns) and `registerInstance` are recorded as
 * coming from `pluginName`.
 */
export function withProvenance(
  container: DependencyContainer,
  pluginName: string,
): DependencyContainer {
  const view: DependencyContainer = new Proxy(container, {
    get(target, property) {
      if (property === 'register') {
        return (token: InjectionToken<unknown>, provider: unknown, options?: unknown) => {
          const traced = isFactoryProvider(provider)
            ? { useFactory: (c: DependencyContainer) => record(provider.useFactory(c), pluginName) }
            : provider;
          if (typeof traced === 'object' && traced !== null && 'useValue' in traced)
            record(traced.useValue, pluginName);
          // tsyringe's overloads cannot be named from a forwarding call; the arguments are the plugin's own.
          Reflect.apply(
            target.register,
            target,
            options === undefined ? [token, traced] : [token, traced, options],
          );
          return view;
        };
      }
      if (property === 'registerInstance') {
        return (token: InjectionToken<unknown>, instance: unknown) => {
          target.registerInstance(token, record(instance, pluginName));
          return view;
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return view;
}
