import { unitConfig } from './src/vitest-presets.js';

export default unitConfig(import.meta.dirname, 'testing');
