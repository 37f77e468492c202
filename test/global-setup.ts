/**
 * One real influxd for the whole suite; each test file writes to its own database.
 * Provided to tests as `inject('influxUrl')`. The bundles are built once here too, so test files
 * running in parallel never rebuild dist/ under each other.
 */
import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { startInfluxd, type InfluxdServer } from '#test/influxd/server';
import { PROJECT_DIR } from '#test/helpers/paths';

let server: InfluxdServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  execFileSync(process.execPath, ['esbuild.config.mjs'], { cwd: PROJECT_DIR, stdio: 'ignore' });
  server = await startInfluxd();
  project.provide('influxUrl', server.url);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    influxUrl: string;
  }
}
