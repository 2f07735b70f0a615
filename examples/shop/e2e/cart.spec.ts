import { test, expect } from '@playwright/test';

test.describe('cart @cart', () => {
  test('adds a product to the cart from its page @cart', async ({ page }) => {
    await page.goto('/');
    await page.getByTestId('product-list').getByRole('link').first().click();
    await expect(page).toHaveURL(/\/product\/[^/]+$/);
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await expect(page).toHaveURL(/\/cart$/);
    await expect(page.getByTestId('cart-summary')).toBeVisible();
  });

  test('removes an item @cart', async ({ page }) => {
    await page.goto('/product/sku-1');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByRole('button', { name: 'Remove' }).first().click();
    await expect(page.getByTestId('cart-empty')).toBeVisible();
  });
});
