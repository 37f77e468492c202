/**
 * @module test/helpers/paths
 * The reference folder `shared/` that sits beside the repository (fixtures, specs, Heapster's
 * dashboards). HEAPLESS_SHARED_DIR overrides it.
 */
import { resolve } from 'node:path';

export const PROJECT_DIR = resolve(new URL('../..', import.meta.url).pathname);
export const REFERENCE_DIR = process.env['HEAPLESS_SHARED_DIR'] ?? resolve(PROJECT_DIR, '..', 'shared');
export const FIXTURES_DIR = resolve(REFERENCE_DIR, 'fixtures');
