import { intConfig } from '../testing/src/vitest-presets.js';

export default intConfig(import.meta.dirname, 'chaos');
