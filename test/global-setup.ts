/**
 * One real influxd for the whole suite; each test file writes to its own database.
 * Provided to tests as `inject('influxUrl')`.
 */
import type { TestProject } from 'vitest/node';
import { startInfluxd, type InfluxdServer } from '#test/influxd/server';

let server: InfluxdServer | undefined;

export async function setup(project: TestProject): Promise<void> {
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
