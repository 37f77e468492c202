/**
 * @module test/helpers/browser
 * Debian's headless Chromium driven by playwright-core, with a fresh profile folder removed on
 * close. Without /usr/bin/chromium the browser tests skip locally, and fail in CI (CI=true), so
 * CI cannot pass without them: `.ci/run` installs it (`apt-get install -y chromium`).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
export const MISSING_CHROMIUM = `${CHROMIUM} is missing: install Debian's chromium (apt-get update && apt-get install -y chromium), as .ci/run does`;

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  if (!HAVE_CHROMIUM) throw new Error(MISSING_CHROMIUM);
  const profile = mkdtempSync(join(tmpdir(), 'heapless-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 1000 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    return {
      context,
      close: async () => {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
}
