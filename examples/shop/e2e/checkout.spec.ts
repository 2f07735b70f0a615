import { test, expect } from '@playwright/test';

test('checks out a full cart @checkout', async ({ page }) => {
  await page.goto('/product/sku-1');
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await page.getByRole('button', { name: 'Checkout' }).click();
  await expect(page).toHaveURL(/\/checkout$/);
  await page.getByLabel('Email').fill('ada@example.test');
  await page.getByLabel('Address').fill('1 Analytical Way');
  await expect(page.getByTestId('order-total')).toContainText('Total');
  await page.getByRole('button', { name: 'Place order' }).click();
});
