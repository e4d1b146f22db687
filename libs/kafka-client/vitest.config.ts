import { unitConfig } from '../../tools/testing/src/vitest-presets.js';

export default unitConfig(import.meta.dirname, 'kafka-client');
