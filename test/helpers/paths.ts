/**
 * @module test/helpers/paths
 * Where the project's own files are. Everything a test, the simulator or the bench reads lives
 * inside this repository (test/fixtures, with its SOURCES.md); nothing reads a sibling folder.
 */
import { resolve } from 'node:path';

export const PROJECT_DIR = resolve(new URL('../..', import.meta.url).pathname);
/** Real captured payloads and Heapster's original dashboards (test/fixtures/SOURCES.md). */
export const FIXTURES_DIR = resolve(PROJECT_DIR, 'test', 'fixtures');
