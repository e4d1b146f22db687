import { unitConfig } from '../testing/src/vitest-presets.js';

export default unitConfig(import.meta.dirname, 'replayctl');
