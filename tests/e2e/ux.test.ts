import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { backendReady, shotPath, useApp } from './harness';

const TABS = ['Text', 'Faces', 'Segmentation', 'Benchmark'] as const;
const PANELS = {
  Text: 'text-panel',
  Faces: 'faces-panel',
  Segmentation: 'seg-panel',
  Benchmark: 'bench-panel',
} as const;

/** Opens a tab and waits until its worker reports its backend, so screenshots show a settled page. */
async function openTab(page: Page, tab: (typeof TABS)[number]) {
  await page.getByRole('tab', { name: tab }).click();
  await backendReady(page.locator(PANELS[tab]));
}
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Boxes of the visible controls of the shown tab panel (shadow roots included). */
function controlBoxes(page: Page) {
  return page.evaluate(() => {
    const out: { name: string; height: number; right: number }[] = [];
    const walk = (root: Document | ShadowRoot) => {
      for (const el of Array.from(root.querySelectorAll('*'))) {
        if (el.shadowRoot) walk(el.shadowRoot);
        if (!/^(BUTTON|INPUT|SELECT|TEXTAREA)$/.test(el.tagName)) continue;
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        const name = el.getAttribute('aria-label') ?? el.textContent?.trim() ?? el.tagName;
        out.push({ name: `${el.tagName} ${name}`.slice(0, 60), height: r.height, right: r.right });
      }
    };
    walk(document);
    return {
      controls: out,
      scrollWidth: document.documentElement.scrollWidth,
      width: window.innerWidth,
    };
  });
}

describe('layout, accessibility and keyboard in Chromium', () => {
  const app = useApp();

  it('at 390x844 every tab fits without horizontal scroll and controls are at least 44 px tall', async () => {
    const context = await app.browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    await page.goto(app.server.url);
    for (const tab of TABS) {
      await openTab(page, tab);
      const { controls, scrollWidth, width } = await controlBoxes(page);
      expect(scrollWidth, `${tab}: horizontal scroll`).toBeLessThanOrEqual(width);
      const small = controls.filter((c) => c.height < 44 || c.right > width + 1);
      expect(small, `${tab}: controls under 44 px or off screen`).toEqual([]);
      await page.screenshot({
        path: shotPath(`screenshot-${tab.toLowerCase()}-phone.png`),
        fullPage: true,
      });
    }
    await context.close();
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`axe finds no serious or critical violations on any tab (${colorScheme})`, async () => {
      // axe is injected as a script: only the test context bypasses the app's CSP.
      const context = await app.browser.newContext({
        colorScheme,
        bypassCSP: true,
        viewport: { width: 1280, height: 900 },
      });
      const page = await context.newPage();
      await page.goto(app.server.url);
      await page.addScriptTag({ path: AXE });
      for (const tab of TABS) {
        await openTab(page, tab);
        const violations = await page.evaluate(async () => {
          const axe = (
            window as unknown as {
              axe: {
                run(): Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }>;
              };
            }
          ).axe;
          const result = await axe.run();
          return result.violations
            .filter((v) => v.impact === 'serious' || v.impact === 'critical')
            .map((v) => `${v.id} (${v.impact}, ${v.nodes.length} nodes)`);
        });
        expect(violations, `${tab} ${colorScheme}`).toEqual([]);
        if (colorScheme === 'light') {
          await page.screenshot({
            path: shotPath(`screenshot-${tab.toLowerCase()}-desktop.png`),
            fullPage: true,
          });
        }
      }
      await context.close();
    });
  }

  it('Tab and Enter alone start and pause training in the Text tab', async () => {
    const context = await app.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(app.server.url);
    const text = page.locator('text-panel');
    await backendReady(text);
    const focusedName = () =>
      page.evaluate(() => {
        let el = document.activeElement;
        while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
        const input = el as HTMLInputElement | null;
        const label = input?.labels?.[0]?.firstChild?.textContent;
        return (input?.getAttribute('aria-label') ?? label ?? el?.textContent ?? '').trim();
      });
    async function tabTo(name: string) {
      for (let i = 0; i < 60; i++) {
        await page.keyboard.press('Tab');
        if ((await focusedName()) === name) return;
      }
      throw new Error(`Tab never reached ${name}`);
    }
    // Keyboard only; the default model is the full recipe, so shrink it with the keyboard too
    // (SwiftShader would need minutes per step).
    for (const [field, value] of [
      ['Batch size', '8'],
      ['LSTM units', '8'],
    ]) {
      await tabTo(field);
      await page.keyboard.press('Control+A');
      await page.keyboard.type(value);
    }
    await tabTo('Train');
    await page.keyboard.press('Enter');
    await expect
      .poll(async () => Number(await text.getByTestId('step').textContent()), { timeout: 300_000 })
      .toBeGreaterThanOrEqual(1);
    await tabTo('Pause');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => text.getByTestId('state').textContent(), { timeout: 300_000 })
      .toBe('paused');
    await context.close();
  });
});
