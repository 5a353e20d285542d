/** Launching the system Chromium through playwright-core (no bundled browser download). */
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { DEFAULT_CHROMIUM } from '../env.js';
import { ErrorCodes, RoundupError } from '../errors.js';

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** `executablePath`: the environment's ROUNDUP_CHROMIUM, for a browser elsewhere (e.g. macOS). */
export async function launchChromium(executablePath = DEFAULT_CHROMIUM): Promise<Browser> {
  if (!existsSync(executablePath)) {
    throw new RoundupError(
      ErrorCodes.CHROMIUM,
      `no Chromium at ${executablePath}: install it (Debian/Ubuntu: sudo apt-get install chromium) or set ROUNDUP_CHROMIUM to a Chromium/Chrome binary`,
    );
  }
  const { chromium } = await import('playwright-core');
  try {
    return await chromium.launch({ executablePath, args: ARGS });
  } catch (e) {
    const first = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    throw new RoundupError(
      ErrorCodes.CHROMIUM,
      `Chromium at ${executablePath} did not start (${first}): check that it runs, or set ROUNDUP_CHROMIUM`,
    );
  }
}
