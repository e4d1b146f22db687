// The secrets every app refuses to start without, judged as the apps do (kafka-runtime's config:
// MESH_CONTROL_SECRET ≥ 32 characters, MESH_ADMIN_TOKEN ≥ 16). Values are never shown.
import { fail, pass, skip, type CheckRow } from './types.js';

const RULES = [
  { name: 'MESH_CONTROL_SECRET', min: 32, required: true },
  { name: 'MESH_CONTROL_SECRET_PREVIOUS', min: 32, required: false },
  { name: 'MESH_ADMIN_TOKEN', min: 16, required: true },
] as const;

export function checkSecrets(env: NodeJS.ProcessEnv): CheckRow[] {
  return RULES.map(({ name, min, required }) => {
    const value = env[name]?.trim() ?? '';
    if (!value) return required ? fail('config', name, 'not set') : skip('config', name, 'not set (only while rotating)');
    if (value.length < min) return fail('config', name, `${value.length} characters; at least ${min} needed`);
    if (name === 'MESH_CONTROL_SECRET_PREVIOUS' && value === env.MESH_CONTROL_SECRET?.trim()) return fail('config', name, 'same as MESH_CONTROL_SECRET');
    return pass('config', name, `set, ${value.length} characters`);
  });
}
