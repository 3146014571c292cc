// A refused value is said at its field (aria-invalid, aria-describedby), stays as typed, and Train
// or Sample is refused with a pointer to the first bad field instead of reinterpreting the value.
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { backendReady, newContext, shotsOf, useApp, watchPage } from './harness';

/** The input's accessible description: the text of the elements its aria-describedby names. */
function description(input: Locator): Promise<string> {
  return input.evaluate((el) => {
    const root = el.getRootNode() as ShadowRoot;
    const ids = (el.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
    return ids.map((id) => root.getElementById(id)?.textContent?.trim() ?? '').join(' ');
  });
}

describe('messages at the field in Chromium', () => {
  const app = useApp();

  it('refuses hex, overflow, -0 and empty values at their fields, keeps what was typed, and points Train and Sample at the first bad field', async () => {
    const context = await newContext(app.browser);
    const page = await context.newPage();
    const seen = watchPage(page);
    await page.goto(`${app.server.url}?backend=cpu`);
    const ui = page.locator('text-panel');
    await backendReady(ui, 'cpu');
    const field = (name: string) => ui.getByRole('textbox', { name, exact: true });

    const refused: [string, string][] = [
      ['Learning rate', '0x10'],
      ['Batch size', '1e309'],
      ['LSTM units', '-0'],
    ];
    for (const [name, typed] of refused) {
      await field(name).fill(typed);
      await field(name).press('Tab');
      // Before: "0x10" trained with learning rate 10 and "-0" showed as "0".
      expect(await field(name).inputValue()).toBe(typed);
      expect(await field(name).getAttribute('aria-invalid')).toBe('true');
      expect(await description(field(name))).toMatch(/^Enter a (whole )?number/);
    }
    await field('Batch size').fill('');
    await field('Batch size').press('Tab');
    expect(await description(field('Batch size'))).toBe(
      'Enter a whole number from 1 to 1,024, in digits only.',
    );

    await ui.getByRole('button', { name: 'Train', exact: true }).click();
    const alert = ui.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('Fix “Batch size” first.');
    // Focus went to the field named, the first refused one in the row.
    expect(await field('Batch size').evaluate((el) => el.matches(':focus'))).toBe(true);
    expect(await ui.getByTestId('state').textContent()).toBe('not started');
    await shotsOf(page, field('Batch size'), 'field-message');

    // Accepted values clear the messages; the typed text is kept as it was typed.
    await field('Batch size').fill('8');
    await field('Learning rate').fill('1e-2');
    await field('LSTM units').fill('8');
    for (const [name] of refused)
      expect(await field(name).getAttribute('aria-invalid'), name).toBe('false');
    expect(await field('Learning rate').inputValue()).toBe('1e-2');
    expect(await alert.count()).toBe(0);

    // Sample: a list of temperatures is read just as strictly.
    await field('Temperatures').fill('0.5, 0x10');
    await ui.getByRole('button', { name: 'Sample', exact: true }).click();
    await expect
      .poll(() => ui.getByRole('alert').textContent())
      .toContain('Fix “Temperatures” first.');
    expect(await field('Temperatures').getAttribute('aria-invalid')).toBe('true');
    expect(await description(field('Temperatures'))).toContain('Separate temperatures by commas.');
    expect(await ui.getByTestId('sample').count()).toBe(0);

    // A refused text file is said beside the picker, which no longer shows its name.
    const picker = ui.getByLabel('Choose text file', { exact: true });
    await picker.setInputFiles({
      name: 'short.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('hi'),
    });
    await expect.poll(() => picker.getAttribute('aria-invalid')).toBe('true');
    expect(await description(picker)).toContain('short.txt');
    expect(await picker.evaluate((el) => (el as HTMLInputElement).files?.length ?? 0)).toBe(0);
    expect(seen.errors).toEqual([]);
    await context.close();
  });
});
