import { intConfig } from '../../tools/testing/src/vitest-presets.js';

export default intConfig(import.meta.dirname, 'kafka-client');
