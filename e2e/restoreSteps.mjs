// The browser moves the restore steps of e2e/run.mjs share: ask in the dialog, find the
// request's card, wait for it in the history.
import { waitFor } from './portal.mjs';

/** On an entity's Backups tab: opens the restore dialog. */
export async function openRestoreDialog(page) {
  await page.getByRole('button', { name: 'Request restore' }).first().click();
  return page.getByRole('dialog', { name: 'Request a restore' });
}

/** In the open dialog: writes the reason, asks, and waits for the recorded request's preview. */
export async function submitRestoreRequest(dialog, reason) {
  await dialog.getByLabel('Reason').fill(reason);
  await dialog.getByRole('button', { name: 'Request restore' }).click();
  await dialog
    .getByText(/^Request recorded \(waiting for approval\)/)
    .waitFor({ timeout: 120_000 });
}

/** The pending request asked for with `reason`: its card on the page, and its id. */
export async function pendingRequest(page, reason) {
  const card = page
    .getByRole('article', { name: /^Restore request / })
    .filter({ hasText: reason });
  await card.waitFor();
  const id = (await card.getAttribute('aria-label')).replace(
    'Restore request ',
    '',
  );
  return { card, id };
}

/**
 * Reloads the page and waits until the restore history row holding `text` says Succeeded;
 * answers that row's text on one line.
 */
export async function succeededHistoryRow(page, text, portal) {
  await page.reload();
  const row = page.locator('tr', { hasText: text });
  await waitFor(
    `the restore "${text}" succeeded in the history`,
    async () =>
      (await row.count()) > 0 &&
      (await row.first().textContent()).includes('Succeeded'),
    { portal, timeoutMs: 180_000 },
  );
  return (await row.first().innerText()).replace(/\s+/g, ' ');
}
