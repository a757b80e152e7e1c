// How every browser test starts Chromium: the system's build (Debian's chromium) through playwright-core,
// headless, in a throwaway profile, with the sandbox, GPU and background services off (tests run as root
// in a VM without a display; nothing may reach the network). Copied beside each project's Browser/ scripts.
import { chromium } from 'playwright-core';

export function launchHeadless(executablePath, profile, options = {}) {
  return chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    ...options,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
