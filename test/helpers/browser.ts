import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { repoRoot } from './station-cli.ts';

// Debian's Chromium, headless, for the dashboard's browser tests. The background-networking flags
// keep it from calling out on a closed network, which it otherwise does many times at every start.
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** People logged in to one dashboard, each in a context of their own, all closed together. */
export class BrowserUsers {
  private readonly contexts: BrowserContext[] = [];

  constructor(
    private readonly browser: Browser,
    private readonly baseUrl: () => string,
  ) {}

  async logIn(name: string, password: string): Promise<Page> {
    const context = await this.browser.newContext({ acceptDownloads: true, locale: 'zh-CN' });
    this.contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${this.baseUrl()}/login`);
    await page.fill('input[name=name]', name);
    await page.fill('input[name=password]', password);
    await Promise.all([
      page.waitForURL((url) => !url.pathname.startsWith('/login')),
      page.click('#login-form button[type=submit]'),
    ]);
    return page;
  }

  async close(): Promise<void> {
    for (const context of this.contexts.splice(0)) await context.close();
  }
}

/** Full-page screenshots into the gitignored test-artifacts/, named `<prefix>-<name>.png`. */
export function screenshots(prefix: string): (page: Page, name: string) => Promise<Buffer> {
  const folder = path.join(repoRoot, 'test-artifacts');
  mkdirSync(folder, { recursive: true });
  return (page, name) =>
    page.screenshot({ path: path.join(folder, `${prefix}-${name}.png`), fullPage: true });
}
