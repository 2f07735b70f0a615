import { test, expect } from '@playwright/test';

test('redirects anonymous users to login @login', async ({ page }) => {
  await page.goto('/account');
  await expect(page).toHaveURL(/\/login/);
});

test('signs in and sees the account page @login', async ({ page }) => {
  await page.goto('/login');
  await page.getByPlaceholder('Email').fill('ada@example.test');
  await page.getByPlaceholder('Password').fill('correct horse');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole('heading', { name: /Hello/ })).toBeVisible();
});
