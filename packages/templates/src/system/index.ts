export { type ComposedSystem, composeSystem, describeTools, withSystem } from './compose-system.js';
export {
  PERSONAS,
  type PersonaId,
  REFUSAL_POLICIES,
  type RefusalPolicyId,
  SYSTEM_PHRASES,
} from './presets.js';
export { type SystemSpec, systemSpecSchema, toolDefinitionSchema } from './system-spec.js';
