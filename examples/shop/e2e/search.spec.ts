import { test, expect } from '@playwright/test';

test('finds products by name @search', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('searchbox').or(page.getByLabel('Search products')).fill('mug');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/search\?q=mug/);
  await expect(page.getByText(/results for/)).toBeVisible();
});
