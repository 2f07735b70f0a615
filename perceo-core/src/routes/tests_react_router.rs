//! Tests of the React Router route config (`app/routes.ts`) and of React Router patterns.

use std::collections::HashMap;

use super::{Route, RouteDiscovery, RouteKind, discover_routes_with, match_route, pattern_matches};
use crate::config::Framework;

/// Discovers the routes of a React Router project made of `files` (path, content): files
/// with empty content exist but are not read.
fn discover(files: &[(&str, &str)]) -> RouteDiscovery {
    let list: Vec<String> = files.iter().map(|(path, _)| (*path).to_owned()).collect();
    let contents: HashMap<&str, &str> = files.iter().copied().collect();
    let read = |path: &str| contents.get(path).map(|text| (*text).to_owned());
    discover_routes_with(Framework::ReactRouter, &list, &read)
}

/// `(pattern, file)` of every route, in order.
fn summary(routes: &[Route]) -> Vec<(&str, &str)> {
    routes
        .iter()
        .map(|route| (route.pattern.as_str(), route.file.as_str()))
        .collect()
}

/// The files attached to the route defined by `file`.
fn attached<'r>(routes: &'r [Route], file: &str) -> &'r [String] {
    &routes
        .iter()
        .find(|route| route.file == file)
        .unwrap_or_else(|| panic!("no route for {file} in {routes:#?}"))
        .attached
}

#[test]
fn route_index_layout_and_prefix() {
    let found = discover(&[
        ("app/root.tsx", ""),
        (
            "app/routes.ts",
            r#"
import { type RouteConfig, route, index, layout, prefix } from "@react-router/dev/routes";

export default [
  index("./home.tsx"),
  route("about", "./about.tsx"),
  layout("./auth/layout.tsx", [
    route("login", "./auth/login.tsx"),
    route("register", "./auth/register.tsx", { id: "register" }),
  ]),
  route("documents/:id", "./docs/show.tsx", { id: "doc" }, [
    index("./docs/overview.tsx"),
    route("edit", "./docs/edit.tsx"),
  ]),
  route("teams", "./teams.tsx", [route(":teamId", "./team.tsx")]),
  ...prefix("concerts", [
    index("./concerts/home.tsx"),
    route(":city", "./concerts/city.tsx"),
    layout("./concerts/layout.tsx", [route("trending", "./concerts/trending.tsx")]),
  ]),
  route(":lang?/blog/*", "./blog.tsx"),
] satisfies RouteConfig;
"#,
        ),
    ]);
    // The route modules are not in the file list.
    assert_eq!(found.warnings.len(), 12, "{:#?}", found.warnings);
    assert!(
        found.warnings.iter().all(|w| w.ends_with("which does not exist")),
        "{:#?}",
        found.warnings
    );
    assert_eq!(
        summary(&found.routes),
        [
            ("/", "app/home.tsx"),
            ("/:lang?/blog/*", "app/blog.tsx"),
            ("/about", "app/about.tsx"),
            ("/concerts", "app/concerts/home.tsx"),
            ("/concerts/:city", "app/concerts/city.tsx"),
            ("/concerts/trending", "app/concerts/trending.tsx"),
            ("/documents/:id", "app/docs/overview.tsx"),
            ("/documents/:id/edit", "app/docs/edit.tsx"),
            ("/login", "app/auth/login.tsx"),
            ("/register", "app/auth/register.tsx"),
            ("/teams", "app/teams.tsx"),
            ("/teams/:teamId", "app/team.tsx"),
        ]
    );
    assert_eq!(
        attached(&found.routes, "app/auth/login.tsx"),
        ["app/root.tsx", "app/auth/layout.tsx"]
    );
    assert_eq!(
        attached(&found.routes, "app/docs/edit.tsx"),
        ["app/root.tsx", "app/docs/show.tsx"]
    );
    assert_eq!(
        attached(&found.routes, "app/concerts/trending.tsx"),
        ["app/root.tsx", "app/concerts/layout.tsx"]
    );
    assert_eq!(attached(&found.routes, "app/home.tsx"), ["app/root.tsx"]);
    assert!(found.routes.iter().all(|route| route.kind == RouteKind::Page));
}

#[test]
fn constants_spreads_and_async_default_export() {
    let found = discover(&[
        (
            "app/routes.ts",
            r#"
import { route, index } from "@react-router/dev/routes";
import type { RouteConfig } from "@react-router/dev/routes";
const admin = [route("users", "admin/users.tsx"), route("users/:id", "admin/user.tsx")] as const;
export const routes = [index("home.tsx"), route("admin", "admin/layout.tsx", [...admin])];
export default (routes satisfies RouteConfig);
"#,
        ),
        ("app/home.tsx", ""),
    ]);
    assert_eq!(
        summary(&found.routes),
        [
            ("/", "app/home.tsx"),
            ("/admin", "app/admin/layout.tsx"),
            ("/admin/users", "app/admin/users.tsx"),
            ("/admin/users/:id", "app/admin/user.tsx"),
        ]
    );
    // Routes naming files that are not in the project are kept, with a warning.
    assert_eq!(found.warnings.len(), 3, "{:#?}", found.warnings);
    assert!(found.warnings[0].contains("does not exist"), "{:#?}", found.warnings);
}

#[test]
fn fs_routes_flat_routes_in_the_config() {
    let found = discover(&[
        ("app/root.tsx", ""),
        (
            "app/routes.ts",
            r#"
import { type RouteConfig, route } from "@react-router/dev/routes";
import { flatRoutes } from "@react-router/fs-routes";

export default [
  route("/healthz", "health.ts"),
  ...(await flatRoutes({ rootDirectory: "pages", ignoredRouteFiles: ["**/*.css", "**/.*"] })),
] satisfies RouteConfig;
"#,
        ),
        ("app/health.ts", ""),
        ("app/pages/_index.tsx", ""),
        ("app/pages/.DS_Store.tsx", ""),
        ("app/pages/theme.css", ""),
        ("app/pages/products.$id.tsx", ""),
        ("app/pages/files.$.tsx", ""),
        ("app/pages/($lang).about.tsx", ""),
        ("app/pages/(en).pricing.tsx", ""),
        ("app/pages/_auth.tsx", ""),
        ("app/pages/_auth.login.tsx", ""),
        ("app/pages/blog.tsx", ""),
        ("app/pages/blog._index.tsx", ""),
        ("app/pages/blog.$slug_.edit.tsx", ""),
        ("app/pages/sitemap[.]xml.tsx", ""),
        ("app/pages/settings/route.tsx", ""),
        ("app/routes/ignored.tsx", ""),
    ]);
    assert_eq!(found.warnings, Vec::<String>::new());
    assert_eq!(
        summary(&found.routes),
        [
            ("/", "app/pages/_index.tsx"),
            ("/:lang?/about", "app/pages/($lang).about.tsx"),
            ("/blog", "app/pages/blog._index.tsx"),
            ("/blog/:slug/edit", "app/pages/blog.$slug_.edit.tsx"),
            ("/en?/pricing", "app/pages/(en).pricing.tsx"),
            ("/files/*", "app/pages/files.$.tsx"),
            ("/healthz", "app/health.ts"),
            ("/login", "app/pages/_auth.login.tsx"),
            ("/products/:id", "app/pages/products.$id.tsx"),
            ("/settings", "app/pages/settings/route.tsx"),
            ("/sitemap.xml", "app/pages/sitemap[.]xml.tsx"),
        ]
    );
    assert_eq!(
        attached(&found.routes, "app/pages/_auth.login.tsx"),
        ["app/root.tsx", "app/pages/_auth.tsx"]
    );
    assert_eq!(
        attached(&found.routes, "app/pages/blog._index.tsx"),
        ["app/root.tsx", "app/pages/blog.tsx"]
    );
    // A trailing `_` leaves the layout of `blog.$slug` only.
    assert_eq!(
        attached(&found.routes, "app/pages/blog.$slug_.edit.tsx"),
        ["app/root.tsx", "app/pages/blog.tsx"]
    );
}

#[test]
fn remix_flat_routes_hybrid_folders() {
    // Expected: what remix-flat-routes 0.8.5 builds from these files (checked with node).
    let found = discover(&[
        ("app/root.tsx", ""),
        (
            "app/routes.ts",
            r#"
import { remixRoutesOptionAdapter } from '@react-router/remix-routes-option-adapter';
import { flatRoutes } from 'remix-flat-routes';

export default remixRoutesOptionAdapter((defineRoutes) => {
  return flatRoutes('routes', defineRoutes, { ignoredRouteFiles: ['**/.*'] });
});
"#,
        ),
        ("app/routes/_index.tsx", ""),
        ("app/routes/.hidden.tsx", ""),
        ("app/routes/_auth+/_layout.tsx", ""),
        ("app/routes/_auth+/login.tsx", ""),
        ("app/routes/_auth+/forgot-password.tsx", ""),
        ("app/routes/_app+/_layout.tsx", ""),
        ("app/routes/_app+/t.$teamUrl+/_layout.tsx", ""),
        ("app/routes/_app+/t.$teamUrl+/documents._index.tsx", ""),
        ("app/routes/_app+/t.$teamUrl+/documents.$id.tsx", ""),
        ("app/routes/_app+/t.$teamUrl+/documents.$id.edit.tsx", ""),
        ("app/routes/_app+/settings+/_layout.tsx", ""),
        ("app/routes/_app+/settings+/profile.tsx", ""),
        ("app/routes/_app+/settings+/components/form.tsx", ""),
        ("app/routes/embed+/($lang).sign.$token.tsx", ""),
        ("app/routes/api+/files.$.ts", ""),
        ("app/routes/users.$id/route.tsx", ""),
        ("app/routes/users.$id/avatar.tsx", ""),
        ("app/routes/_public+/_.privacy.tsx", ""),
        ("app/routes/robots[.]txt.ts", ""),
        ("app/routes/share.$slug.opengraph.tsx", ""),
        ("app/routes/share.$slug_.raw.tsx", ""),
    ]);
    assert_eq!(found.warnings, Vec::<String>::new());
    assert_eq!(
        summary(&found.routes),
        [
            ("/", "app/routes/_index.tsx"),
            ("/api/files/*", "app/routes/api+/files.$.ts"),
            ("/embed/:lang?/sign/:token", "app/routes/embed+/($lang).sign.$token.tsx"),
            ("/forgot-password", "app/routes/_auth+/forgot-password.tsx"),
            ("/login", "app/routes/_auth+/login.tsx"),
            ("/privacy", "app/routes/_public+/_.privacy.tsx"),
            ("/robots.txt", "app/routes/robots[.]txt.ts"),
            ("/settings", "app/routes/_app+/settings+/_layout.tsx"),
            ("/settings/profile", "app/routes/_app+/settings+/profile.tsx"),
            ("/share/:slug/opengraph", "app/routes/share.$slug.opengraph.tsx"),
            ("/share/:slug/raw", "app/routes/share.$slug_.raw.tsx"),
            ("/t/:teamUrl", "app/routes/_app+/t.$teamUrl+/_layout.tsx"),
            (
                "/t/:teamUrl/documents",
                "app/routes/_app+/t.$teamUrl+/documents._index.tsx"
            ),
            (
                "/t/:teamUrl/documents/:id",
                "app/routes/_app+/t.$teamUrl+/documents.$id.tsx"
            ),
            (
                "/t/:teamUrl/documents/:id/edit",
                "app/routes/_app+/t.$teamUrl+/documents.$id.edit.tsx"
            ),
            ("/users/:id", "app/routes/users.$id/route.tsx"),
        ]
    );
    assert_eq!(
        attached(&found.routes, "app/routes/_app+/t.$teamUrl+/documents.$id.edit.tsx"),
        [
            "app/root.tsx",
            "app/routes/_app+/_layout.tsx",
            "app/routes/_app+/t.$teamUrl+/_layout.tsx",
            "app/routes/_app+/t.$teamUrl+/documents.$id.tsx",
        ]
    );
    assert_eq!(
        attached(&found.routes, "app/routes/_auth+/login.tsx"),
        ["app/root.tsx", "app/routes/_auth+/_layout.tsx"]
    );
}

#[test]
fn unknown_constructs_warn_and_keep_the_rest() {
    let found = discover(&[
        (
            "app/routes.ts",
            r#"import { route, index } from "@react-router/dev/routes";
import { extraRoutes } from "./extra";
const base = "shop";
export default [
  index("home.tsx"),
  ...extraRoutes(),
  route(base + "/cart", "cart.tsx"),
  route("checkout", "checkout.tsx"),
];
"#,
        ),
        ("app/home.tsx", ""),
        ("app/checkout.tsx", ""),
    ]);
    assert_eq!(
        summary(&found.routes),
        [("/", "app/home.tsx"), ("/checkout", "app/checkout.tsx")]
    );
    assert_eq!(found.warnings.len(), 2, "{:#?}", found.warnings);
    assert!(
        found.warnings[0].starts_with("app/routes.ts:6: the call `extraRoutes()`"),
        "{:#?}",
        found.warnings
    );
    assert!(
        found.warnings[1].starts_with("app/routes.ts:7: the path of `route(base + \"/cart\""),
        "{:#?}",
        found.warnings
    );
    // A construct over several lines is quoted on one.
    let multiline = discover(&[(
        "app/routes.ts",
        "import { customRoutes } from 'some-route-package';\nexport default customRoutes({\n\tignoredRouteFiles: ['.*'],\n});\n",
    )]);
    assert_eq!(
        multiline.warnings[0],
        "app/routes.ts:2: the call `customRoutes({ ignoredRouteFiles: ['.*'], })` is not understood; its routes are left out"
    );
}

#[test]
fn unreadable_config_falls_back_to_flat_routes_with_a_warning() {
    for text in [
        "export default [ route(",
        "export const x = 1;",
        "export default defineRoutes();",
    ] {
        let found = discover(&[
            ("app/routes.ts", text),
            ("app/routes/_index.tsx", ""),
            ("app/routes/cart.tsx", ""),
        ]);
        assert_eq!(
            summary(&found.routes),
            [("/", "app/routes/_index.tsx"), ("/cart", "app/routes/cart.tsx")],
            "{text}"
        );
        assert!(
            !found.warnings.is_empty() && found.warnings.iter().all(|w| w.starts_with("app/routes.ts")),
            "{text}: {:#?}",
            found.warnings
        );
    }
}

#[test]
fn app_directory_from_the_react_router_config() {
    let found = discover(&[
        (
            "react-router.config.ts",
            r#"export default { appDirectory: "src/app", ssr: true } satisfies Config;"#,
        ),
        ("src/app/root.tsx", ""),
        (
            "src/app/routes.ts",
            r#"import { index } from "@react-router/dev/routes"; export default [index("home.tsx")];"#,
        ),
        ("src/app/home.tsx", ""),
    ]);
    assert_eq!(summary(&found.routes), [("/", "src/app/home.tsx")]);
    assert_eq!(attached(&found.routes, "src/app/home.tsx"), ["src/app/root.tsx"]);
    let computed = discover(&[
        ("react-router.config.ts", "export default { appDirectory: dir() };"),
        (
            "app/routes.ts",
            r#"import { index } from "@react-router/dev/routes"; export default [index("home.tsx")];"#,
        ),
        ("app/home.tsx", ""),
    ]);
    assert_eq!(summary(&computed.routes), [("/", "app/home.tsx")]);
    assert_eq!(computed.warnings.len(), 1);
}

#[test]
fn matcher_understands_react_router_patterns() {
    assert!(pattern_matches("/documents/:id", "/documents/42"));
    assert!(!pattern_matches("/documents/:id", "/documents"));
    assert!(pattern_matches("/:lang?/about", "/about"));
    assert!(pattern_matches("/:lang?/about", "/fr/about"));
    assert!(pattern_matches("/files/*", "/files"));
    assert!(pattern_matches("/files/*", "/files/a/b.txt"));
    assert!(pattern_matches("/en?/pricing", "/pricing"));
    assert!(pattern_matches("/en?/pricing", "/en/pricing"));
    assert!(!pattern_matches("/en?/pricing", "/de/pricing"));
    assert!(pattern_matches(
        "/t/:teamUrl/documents/:id",
        "/t/${team.url}/documents/${id}"
    ));
    let routes: Vec<Route> = ["/documents/:id", "/documents/new", "/files/*"]
        .iter()
        .map(|pattern| Route {
            app: None,
            pattern: (*pattern).to_owned(),
            kind: RouteKind::Page,
            file: format!("app{pattern}.tsx"),
            attached: Vec::new(),
        })
        .collect();
    let reached = |href: &str| match_route(&routes, href).map(|route| route.pattern.as_str());
    assert_eq!(reached("/documents/new"), Some("/documents/new"));
    assert_eq!(reached("/documents/7"), Some("/documents/:id"));
    assert_eq!(reached("/files/x/y"), Some("/files/*"));
}

#[test]
fn namespace_and_default_imports() {
    let found = discover(&[
        (
            "app/routes.ts",
            r#"import * as r from "@react-router/dev/routes";
export default [r.index("home.tsx"), r.layout("shell.tsx", [r.route("about", "about.tsx")])];
"#,
        ),
        ("app/home.tsx", ""),
        ("app/shell.tsx", ""),
        ("app/about.tsx", ""),
    ]);
    assert_eq!(found.warnings, Vec::<String>::new());
    assert_eq!(
        summary(&found.routes),
        [("/", "app/home.tsx"), ("/about", "app/about.tsx")]
    );
    assert_eq!(attached(&found.routes, "app/about.tsx"), ["app/shell.tsx"]);
    let flat = discover(&[
        (
            "app/routes.ts",
            r#"import { remixRoutesOptionAdapter } from "@react-router/remix-routes-option-adapter";
import flatRoutes from "remix-flat-routes";
export default remixRoutesOptionAdapter((defineRoutes) => flatRoutes(["routes"], defineRoutes));
"#,
        ),
        ("app/routes/_index.tsx", ""),
        ("app/routes/docs+/$slug.tsx", ""),
    ]);
    assert_eq!(flat.warnings, Vec::<String>::new());
    assert_eq!(
        summary(&flat.routes),
        [
            ("/", "app/routes/_index.tsx"),
            ("/docs/:slug", "app/routes/docs+/$slug.tsx")
        ]
    );
}

#[test]
fn fs_routes_defaults_to_app_routes() {
    let found = discover(&[
        (
            "app/routes.ts",
            r#"import { flatRoutes } from "@react-router/fs-routes";
import { route } from "@react-router/dev/routes";
export default [route("docs", "docs.mdx"), ...(await flatRoutes())];
"#,
        ),
        ("app/routes/_index.tsx", ""),
        ("app/routes/about.tsx", ""),
    ]);
    // `.mdx` modules are not in the file list: no warning that `docs.mdx` does not exist.
    assert_eq!(found.warnings, Vec::<String>::new());
    assert_eq!(
        summary(&found.routes),
        [
            ("/", "app/routes/_index.tsx"),
            ("/about", "app/routes/about.tsx"),
            ("/docs", "app/docs.mdx")
        ]
    );
}

#[test]
fn react_router_auto_routes() {
    // Expected: what `react-router routes --json` lists for these files (a subset of
    // epic-stack's) with react-router-auto-routes 0.8.4.
    let found = discover(&[
        ("app/root.tsx", ""),
        (
            "app/routes.ts",
            r#"import { type RouteConfig } from '@react-router/dev/routes'
import { autoRoutes } from 'react-router-auto-routes'
export default autoRoutes({ ignoredRouteFiles: ['.*', '**/*.test.{js,jsx,ts,tsx}', '**/*.server.*'] }) satisfies RouteConfig
"#,
        ),
        ("app/routes/$.tsx", ""),
        ("app/routes/_marketing/index.tsx", ""),
        ("app/routes/_marketing/about.tsx", ""),
        ("app/routes/_seo/sitemap[.]xml.ts", ""),
        ("app/routes/_auth/auth.$provider/index.ts", ""),
        ("app/routes/_auth/auth.$provider/callback.ts", ""),
        ("app/routes/_auth/auth.$provider/callback.test.ts", ""),
        ("app/routes/_auth/login.server.ts", ""),
        ("app/routes/admin/cache/index.tsx", ""),
        ("app/routes/admin/cache/lru.$cacheKey.ts", ""),
        ("app/routes/settings/profile/_layout.tsx", ""),
        ("app/routes/settings/profile/index.tsx", ""),
        ("app/routes/settings/profile/password_.create.tsx", ""),
        ("app/routes/settings/profile/two-factor/_layout.tsx", ""),
        ("app/routes/settings/profile/two-factor/index.tsx", ""),
        ("app/routes/settings/profile/two-factor/verify.tsx", ""),
        ("app/routes/users/$username/notes/_layout.tsx", ""),
        ("app/routes/users/$username/notes/index.tsx", ""),
        ("app/routes/users/$username/notes/$noteId_.edit.tsx", ""),
        ("app/routes/users/$username/notes/+shared/note-editor.tsx", ""),
        ("app/routes/(en).pricing.tsx", ""),
    ]);
    assert_eq!(found.warnings, Vec::<String>::new());
    assert_eq!(
        summary(&found.routes),
        [
            ("/", "app/routes/_marketing/index.tsx"),
            ("/*", "app/routes/$.tsx"),
            ("/about", "app/routes/_marketing/about.tsx"),
            ("/admin/cache", "app/routes/admin/cache/index.tsx"),
            ("/admin/cache/lru/:cacheKey", "app/routes/admin/cache/lru.$cacheKey.ts"),
            ("/auth/:provider", "app/routes/_auth/auth.$provider/index.ts"),
            (
                "/auth/:provider/callback",
                "app/routes/_auth/auth.$provider/callback.ts"
            ),
            ("/en?/pricing", "app/routes/(en).pricing.tsx"),
            ("/settings/profile", "app/routes/settings/profile/index.tsx"),
            (
                "/settings/profile/password/create",
                "app/routes/settings/profile/password_.create.tsx"
            ),
            (
                "/settings/profile/two-factor",
                "app/routes/settings/profile/two-factor/index.tsx"
            ),
            (
                "/settings/profile/two-factor/verify",
                "app/routes/settings/profile/two-factor/verify.tsx"
            ),
            ("/sitemap.xml", "app/routes/_seo/sitemap[.]xml.ts"),
            ("/users/:username/notes", "app/routes/users/$username/notes/index.tsx"),
            (
                "/users/:username/notes/:noteId/edit",
                "app/routes/users/$username/notes/$noteId_.edit.tsx"
            ),
        ]
    );
    assert_eq!(
        attached(&found.routes, "app/routes/settings/profile/two-factor/verify.tsx"),
        [
            "app/root.tsx",
            "app/routes/settings/profile/_layout.tsx",
            "app/routes/settings/profile/two-factor/_layout.tsx"
        ]
    );
    assert_eq!(
        attached(&found.routes, "app/routes/users/$username/notes/$noteId_.edit.tsx"),
        ["app/root.tsx", "app/routes/users/$username/notes/_layout.tsx"]
    );
}
