/**
 * @module bench/collect-flags
 * The V8 flags the collect CronJob gives its process, read from the manifest, so the bench
 * measures memory and GC as deployed.
 */
import { readFileSync } from 'node:fs';
import { PROJECT_DIR } from '#test/helpers/paths';

export function collectFlags(): string {
  const manifest = readFileSync(`${PROJECT_DIR}/deploy/base/collect.yaml`, 'utf8');
  return /--max-old-space-size=\d+(?: --max-semi-space-size=\d+)?/.exec(manifest)?.[0] ?? '';
}
