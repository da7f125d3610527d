import { startTestSystem, TestSystem } from '@org-mgmt/testing';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = join(__dirname, '..', '..', '..', '.artifacts', 'screenshots');
const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe('API docs page in Chromium', () => {
  let sys: TestSystem;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (.ci/run does)`);
    sys = await startTestSystem();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await sys?.close();
  });

  it('renders every operation of the document, loads nothing from outside, and saves a screenshot', async () => {
    const doc = (await (await fetch(`${sys.url}/org-management/openapi.json`)).json()) as {
      paths: Record<string, object>;
    };
    const operations = Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
    const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    const outside: string[] = [];
    page.on('request', (req) => {
      if (!req.url().startsWith(sys.url) && !req.url().startsWith('data:')) outside.push(req.url());
    });
    await page.goto(`${sys.url}/org-management/docs`);
    await page.locator('.opblock').first().waitFor({ timeout: 20_000 });
    expect(await page.locator('.opblock').count()).toBe(operations);
    expect(await page.locator('.info .title').first().innerText({ timeout: 5000 })).toContain('Org Management API');
    expect(await page.locator('.opblock-summary-path[data-path="/profile/{orgId}"]').count()).toBe(1);
    expect(await page.locator('.errors-wrapper').count()).toBe(0);
    expect(outside).toEqual([]);

    mkdirSync(SCREENSHOTS, { recursive: true });
    const file = join(SCREENSHOTS, 'api-docs.png');
    await page.screenshot({ path: file, fullPage: false });
    expect(statSync(file).size).toBeGreaterThan(10_000);
  });
});
