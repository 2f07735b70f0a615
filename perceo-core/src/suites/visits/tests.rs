//! Unit tests of `visits`.

use super::*;

#[test]
fn a_url_regex_is_a_path_when_it_is_a_literal_path_with_wildcards() {
    let cases = [
        (r"\/checkout$", Some("/checkout")),
        (r"^\/product\/[^/]+$", Some("/product/*")),
        (r"\/t\/[^\/]+\/documents\/\d+\/edit\/?$", Some("/t/*/documents/*/edit")),
        (r".*\/admin\/stats", Some("/admin/stats")),
        (r"\/(cart|checkout)$", None),
        (r"\/cart\?step=\d", None),
        (r"checkout$", None),
        (r"^https?:\/\/localhost\/x", None),
        (r"\/a.b", None),
    ];
    for (pattern, path) in cases {
        assert_eq!(regex_path(pattern).as_deref(), path, "{pattern}");
    }
}

fn urls(test: &TestCase) -> Vec<(&str, VisitKind)> {
    test.visits.iter().map(|v| (v.url.as_str(), v.kind)).collect()
}

#[test]
fn playwright_tests_with_templates_helpers_and_before_each() {
    let spec = r#"import { test, expect } from '@playwright/test';
import { apiSignin } from './fixtures/authentication';

test.describe('documents', () => {
  test.beforeEach(async ({ page }) => {
await page.goto('/signin');
  });

  test('edits a document', async ({ page }) => {
await apiSignin({ page, email: 'a@b.c', redirectPath: `/t/${team.url}/documents` });
await page.goto(`/t/${team.url}/documents/${id}/edit`);
await expect(page).toHaveURL('/documents/42/edit');
await page.getByRole('button').click();
  });
});

test('admin stats', async ({ page, request }) => {
  await page.goto('/admin/stats');
  expect(page.url(), 'not bounced').not.toContain('/login');
  await expect(page).not.toHaveURL('/signin');
  const res = await request.get('/api/health');
  await page.waitForURL(/dashboard/);
});
"#;
    let tests = tests_in("e2e/documents.spec.ts", spec);
    assert_eq!(tests.len(), 2);
    assert_eq!(tests[0].title, "documents › edits a document");
    assert_eq!(tests[0].line, 9);
    assert_eq!(
        urls(&tests[0]),
        [
            ("/t/*/documents", VisitKind::Helper),
            ("/t/*/documents/*/edit", VisitKind::Goto),
            ("/documents/42/edit", VisitKind::UrlAssertion),
            ("/signin", VisitKind::Goto),
        ]
    );
    assert_eq!(tests[0].visits[1].line, 11);
    assert_eq!(tests[1].title, "admin stats");
    assert_eq!(
        urls(&tests[1]),
        [("/admin/stats", VisitKind::Goto), ("/api/health", VisitKind::Request)]
    );
}

#[test]
fn helpers_of_the_same_file_and_imported_ones_are_followed() {
    let spec = r#"import { openBilling } from './pages';
const setup = async (page) => {
  await apiSignin({ page, redirectPath: `/t/${team.url}/documents/${id}/edit` });
};
async function deeper(page) { await setup(page); }
test('autosaves', async ({ page }) => {
  await deeper(page);
  await openBilling(page);
});
"#;
    let mut imported = Helpers::new();
    imported.insert(
        "openBilling".into(),
        vec![Visit {
            url: "/settings/billing".into(),
            line: 2,
            kind: VisitKind::Goto,
        }],
    );
    let module = read_module("e2e/a.spec.ts", spec, &imported);
    assert_eq!(
        urls(&module.tests[0]),
        [
            ("/t/*/documents/*/edit", VisitKind::Helper),
            ("/settings/billing", VisitKind::Helper)
        ]
    );
    assert_eq!(
        module.imports,
        [(
            "openBilling".to_string(),
            "./pages".to_string(),
            "openBilling".to_string()
        )]
    );
    let pages = read_module(
        "e2e/pages.ts",
        "export const openBilling = async (page) => { await page.goto('/settings/billing'); };",
        &Helpers::new(),
    );
    assert_eq!(pages.helpers["openBilling"][0].url, "/settings/billing");
}

#[test]
fn urls_named_by_top_level_constants_and_regex_assertions() {
    let spec = r#"import { test, expect } from '@playwright/test';
const MEMBERSHIP_PATH = '/user/membership';
export const TEAM = `/t/${teamUrl}`;
let mutable = '/not-a-constant';

test('gold stays on membership', async ({ page }) => {
  await page.goto(MEMBERSHIP_PATH);
  await expect(page).toHaveURL(/\/user\/membership$/);
  await page.goto(`${TEAM}/settings`);
  await page.goto(mutable);
});
"#;
    let tests = tests_in("e2e/membership.spec.ts", spec);
    assert_eq!(
        urls(&tests[0]),
        [
            ("/user/membership", VisitKind::Goto),
            ("/user/membership", VisitKind::UrlAssertion),
            ("/t/*/settings", VisitKind::Goto)
        ]
    );
}

#[test]
fn cypress_visits_and_url_assertions() {
    let spec = r#"describe('cart', () => {
  it('adds an item', () => {
cy.visit('/product/42');
cy.get('button').click();
cy.url().should('include', '/cart');
cy.location('pathname').should('eq', '/cart');
  });
});
"#;
    let tests = tests_in("cypress/e2e/cart.cy.ts", spec);
    assert_eq!(tests.len(), 1);
    assert_eq!(tests[0].title, "cart › adds an item");
    assert_eq!(
        urls(&tests[0]),
        [
            ("/product/42", VisitKind::Goto),
            ("/cart", VisitKind::UrlAssertion),
            ("/cart", VisitKind::UrlAssertion),
        ]
    );
}
