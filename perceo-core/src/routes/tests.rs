//! Tests of route discovery (one per convention) and of the matcher.

use std::path::Path;

use super::{Route, RouteKind, discover_routes, match_route, pattern_matches};
use crate::config::Framework;

/// Owned file list from literals.
fn files(paths: &[&str]) -> Vec<String> {
    paths.iter().map(|path| (*path).to_owned()).collect()
}

/// The route defined by `file`.
fn by_file<'r>(routes: &'r [Route], file: &str) -> &'r Route {
    routes
        .iter()
        .find(|route| route.file == file)
        .unwrap_or_else(|| panic!("no route for {file} in {routes:#?}"))
}

/// `(pattern, kind, file)` of every route, in order.
fn summary(routes: &[Route]) -> Vec<(&str, RouteKind, &str)> {
    routes
        .iter()
        .map(|route| (route.pattern.as_str(), route.kind, route.file.as_str()))
        .collect()
}

/// Pattern of the page `href` reaches.
fn reached<'r>(routes: &'r [Route], href: &str) -> Option<&'r str> {
    match_route(routes, href).map(|route| route.pattern.as_str())
}

/// Page routes with the given patterns (file names derived from the pattern).
fn pages(patterns: &[&str]) -> Vec<Route> {
    patterns
        .iter()
        .map(|pattern| Route {
            app: None,
            pattern: (*pattern).to_owned(),
            kind: RouteKind::Page,
            file: format!("app{pattern}/page.tsx"),
            attached: Vec::new(),
        })
        .collect()
}

use RouteKind::{Handler, Page};

#[test]
fn app_router_groups_dynamic_and_catch_all() {
    let routes = discover_routes(
        Framework::Nextjs,
        &files(&[
            "app/(marketing)/about/page.tsx",
            "app/(shop)/product/[id]/page.tsx",
            "app/blog/[...slug]/page.tsx",
            "app/docs/[[...slug]]/page.mdx",
            "app/docs/[[...slug]]/page.jsx",
            "app/page.tsx",
            "app/globals.css",
            "app/components/Button.tsx",
            "app/page.test.tsx",
            "middleware.ts",
            "src/lib/api.ts",
        ]),
    );
    assert_eq!(
        summary(&routes),
        [
            ("/", Page, "app/page.tsx"),
            ("/about", Page, "app/(marketing)/about/page.tsx"),
            ("/blog/[...slug]", Page, "app/blog/[...slug]/page.tsx"),
            ("/docs/[[...slug]]", Page, "app/docs/[[...slug]]/page.jsx"),
            ("/product/[id]", Page, "app/(shop)/product/[id]/page.tsx"),
        ]
    );
}

#[test]
fn app_router_parallel_slots_leave_the_pattern() {
    let routes = discover_routes(
        Framework::Nextjs,
        &files(&[
            "app/dashboard/layout.tsx",
            "app/dashboard/page.tsx",
            "app/dashboard/@analytics/page.tsx",
            "app/dashboard/@analytics/default.tsx",
            "app/dashboard/@team/settings/page.tsx",
        ]),
    );
    assert_eq!(
        summary(&routes),
        [
            ("/dashboard", Page, "app/dashboard/@analytics/page.tsx"),
            ("/dashboard", Page, "app/dashboard/page.tsx"),
            ("/dashboard/settings", Page, "app/dashboard/@team/settings/page.tsx"),
        ]
    );
    assert_eq!(
        by_file(&routes, "app/dashboard/@analytics/page.tsx").attached,
        ["app/dashboard/layout.tsx", "app/dashboard/@analytics/default.tsx"]
    );
    assert_eq!(
        by_file(&routes, "app/dashboard/page.tsx").attached,
        ["app/dashboard/layout.tsx"]
    );
}

#[test]
fn app_router_intercepting_routes_take_the_intercepted_pattern() {
    let routes = discover_routes(
        Framework::Nextjs,
        &files(&[
            "app/photo/[id]/page.tsx",
            "app/@modal/(.)photo/[id]/page.tsx",
            "app/feed/(..)photo/[id]/page.tsx",
            "app/feed/(.)post/page.tsx",
            "app/(shop)/a/b/(..)(..)photo/[id]/page.tsx",
            "app/deep/er/(...)photo/[id]/page.tsx",
        ]),
    );
    let patterns: Vec<_> = routes
        .iter()
        .map(|route| (route.file.as_str(), route.pattern.as_str()))
        .collect();
    assert!(patterns.contains(&("app/@modal/(.)photo/[id]/page.tsx", "/photo/[id]")));
    assert!(patterns.contains(&("app/feed/(..)photo/[id]/page.tsx", "/photo/[id]")));
    assert!(patterns.contains(&("app/feed/(.)post/page.tsx", "/feed/post")));
    assert!(patterns.contains(&("app/(shop)/a/b/(..)(..)photo/[id]/page.tsx", "/photo/[id]")));
    assert!(patterns.contains(&("app/deep/er/(...)photo/[id]/page.tsx", "/photo/[id]")));
    // The real page wins the match over the interceptors sharing its pattern.
    assert_eq!(
        match_route(&routes, "/photo/1").map(|route| route.file.as_str()),
        Some("app/photo/[id]/page.tsx")
    );
}

#[test]
fn app_router_private_folders_are_not_routes() {
    let routes = discover_routes(
        Framework::Nextjs,
        &files(&[
            "app/_components/page.tsx",
            "app/_lib/x/route.ts",
            "app/shop/_parts/layout.tsx",
            "app/shop/page.tsx",
        ]),
    );
    assert_eq!(summary(&routes), [("/shop", Page, "app/shop/page.tsx")]);
    assert!(routes[0].attached.is_empty());
}

#[test]
fn app_router_wrappers_attach_only_beneath_their_directory() {
    let routes = discover_routes(
        Framework::Nextjs,
        &files(&[
            "src/app/layout.tsx",
            "src/app/global-error.tsx",
            "src/app/not-found.tsx",
            "src/app/(shop)/layout.tsx",
            "src/app/(shop)/template.tsx",
            "src/app/(shop)/cart/page.tsx",
            "src/app/(shop)/cart/loading.tsx",
            "src/app/(shop)/cart/error.tsx",
            "src/app/search/page.tsx",
            "src/app/search/global-error.tsx",
            "src/middleware.ts",
        ]),
    );
    assert_eq!(
        by_file(&routes, "src/app/(shop)/cart/page.tsx").attached,
        [
            "src/app/global-error.tsx",
            "src/app/layout.tsx",
            "src/app/not-found.tsx",
            "src/app/(shop)/layout.tsx",
            "src/app/(shop)/template.tsx",
            "src/app/(shop)/cart/error.tsx",
            "src/app/(shop)/cart/loading.tsx",
        ]
    );
    assert_eq!(
        by_file(&routes, "src/app/search/page.tsx").attached,
        [
            "src/app/global-error.tsx",
            "src/app/layout.tsx",
            "src/app/not-found.tsx"
        ]
    );
}

#[test]
fn app_router_route_handlers() {
    let routes = discover_routes(
        Framework::Nextjs,
        &files(&["app/layout.tsx", "app/api/cart/route.ts", "app/(x)/feed/route.js"]),
    );
    assert_eq!(
        summary(&routes),
        [
            ("/api/cart", Handler, "app/api/cart/route.ts"),
            ("/feed", Handler, "app/(x)/feed/route.js")
        ]
    );
    assert!(routes.iter().all(|route| route.attached.is_empty()));
    assert_eq!(
        match_route(&routes, "/api/cart"),
        None,
        "handlers are not navigation targets"
    );
}

#[test]
fn pages_router_specials_attach_to_pages_not_api() {
    let routes = discover_routes(
        Framework::Nextjs,
        &files(&[
            "pages/_app.tsx",
            "pages/_document.tsx",
            "pages/_error.tsx",
            "pages/index.tsx",
            "pages/blog/index.tsx",
            "pages/blog/[slug].tsx",
            "pages/docs/[...path].tsx",
            "pages/api/cart.ts",
            "pages/api/users/[id].ts",
            "pages/api/index.ts",
            "pages/types.d.ts",
            "pages/styles.css",
        ]),
    );
    assert_eq!(
        summary(&routes),
        [
            ("/", Page, "pages/index.tsx"),
            ("/api", Handler, "pages/api/index.ts"),
            ("/api/cart", Handler, "pages/api/cart.ts"),
            ("/api/users/[id]", Handler, "pages/api/users/[id].ts"),
            ("/blog", Page, "pages/blog/index.tsx"),
            ("/blog/[slug]", Page, "pages/blog/[slug].tsx"),
            ("/docs/[...path]", Page, "pages/docs/[...path].tsx"),
        ]
    );
    let specials = ["pages/_app.tsx", "pages/_document.tsx", "pages/_error.tsx"];
    assert_eq!(by_file(&routes, "pages/blog/[slug].tsx").attached, specials);
    assert!(by_file(&routes, "pages/api/cart.ts").attached.is_empty());
}

#[test]
fn both_routers_together_and_src_fallback() {
    let project = files(&[
        "src/app/page.tsx",
        "src/app/layout.tsx",
        "src/pages/old.tsx",
        "src/pages/_app.tsx",
    ]);
    let routes = discover_routes(Framework::Nextjs, &project);
    assert_eq!(
        summary(&routes),
        [("/", Page, "src/app/page.tsx"), ("/old", Page, "src/pages/old.tsx")]
    );
    assert_eq!(by_file(&routes, "src/pages/old.tsx").attached, ["src/pages/_app.tsx"]);
    assert_eq!(by_file(&routes, "src/app/page.tsx").attached, ["src/app/layout.tsx"]);

    // A root `app/` directory wins over `src/` ones, as in Next.js.
    let mut project = project;
    project.push("app/about/page.tsx".to_owned());
    let routes = discover_routes(Framework::Nextjs, &project);
    assert_eq!(summary(&routes), [("/about", Page, "app/about/page.tsx")]);
}

#[test]
fn remix_flat_routes() {
    let routes = discover_routes(
        Framework::Remix,
        &files(&[
            "app/root.tsx",
            "app/entry.server.tsx",
            "app/routes/_index.tsx",
            "app/routes/about.tsx",
            "app/routes/product.$id.tsx",
            "app/routes/files.$.tsx",
            "app/routes/_auth.tsx",
            "app/routes/_auth.login.tsx",
            "app/routes/_auth.register.tsx",
            "app/routes/blog.tsx",
            "app/routes/blog._index.tsx",
            "app/routes/blog.$slug.tsx",
            "app/routes/blog_.archive.tsx",
            "app/routes/sitemap[.]xml.ts",
            "app/routes/($lang).pricing.tsx",
            "app/routes/account.settings/route.tsx",
            "app/routes/account.settings/form.tsx",
            "app/routes/db.server.ts",
        ]),
    );
    assert_eq!(
        summary(&routes),
        [
            ("/", Page, "app/routes/_index.tsx"),
            ("/($lang)/pricing", Page, "app/routes/($lang).pricing.tsx"),
            ("/about", Page, "app/routes/about.tsx"),
            ("/account/settings", Page, "app/routes/account.settings/route.tsx"),
            ("/blog", Page, "app/routes/blog._index.tsx"),
            ("/blog/$slug", Page, "app/routes/blog.$slug.tsx"),
            ("/blog/archive", Page, "app/routes/blog_.archive.tsx"),
            ("/files/$", Page, "app/routes/files.$.tsx"),
            ("/login", Page, "app/routes/_auth.login.tsx"),
            ("/product/$id", Page, "app/routes/product.$id.tsx"),
            ("/register", Page, "app/routes/_auth.register.tsx"),
            ("/sitemap.xml", Page, "app/routes/sitemap[.]xml.ts"),
        ]
    );
    assert_eq!(
        by_file(&routes, "app/routes/_auth.login.tsx").attached,
        ["app/root.tsx", "app/routes/_auth.tsx"]
    );
    assert_eq!(
        by_file(&routes, "app/routes/blog.$slug.tsx").attached,
        ["app/root.tsx", "app/routes/blog.tsx"]
    );
    assert_eq!(
        by_file(&routes, "app/routes/blog._index.tsx").attached,
        ["app/root.tsx", "app/routes/blog.tsx"]
    );
    assert_eq!(
        by_file(&routes, "app/routes/blog_.archive.tsx").attached,
        ["app/root.tsx"],
        "blog_ escapes nesting"
    );

    assert_eq!(reached(&routes, "/product/42"), Some("/product/$id"));
    assert_eq!(reached(&routes, "/files/a/b.txt"), Some("/files/$"));
    assert_eq!(reached(&routes, "/fr/pricing"), Some("/($lang)/pricing"));
    assert_eq!(reached(&routes, "/pricing"), Some("/($lang)/pricing"));
    assert_eq!(reached(&routes, "/blog/archive"), Some("/blog/archive"));
    assert_eq!(reached(&routes, "/blog/hello"), Some("/blog/$slug"));
}

#[test]
fn react_router_without_a_reader_uses_flat_routes_even_with_routes_ts() {
    let routes = discover_routes(
        Framework::ReactRouter,
        &files(&[
            "app/routes.ts",
            "app/root.tsx",
            "app/routes/_index.tsx",
            "app/routes/cart.tsx",
        ]),
    );
    assert_eq!(
        summary(&routes),
        [
            ("/", Page, "app/routes/_index.tsx"),
            ("/cart", Page, "app/routes/cart.tsx")
        ]
    );
    assert_eq!(by_file(&routes, "app/routes/cart.tsx").attached, ["app/root.tsx"]);
}

#[test]
fn sveltekit_routes() {
    let routes = discover_routes(
        Framework::Sveltekit,
        &files(&[
            "src/routes/+layout.svelte",
            "src/routes/+layout.server.ts",
            "src/routes/+error.svelte",
            "src/routes/+page.svelte",
            "src/routes/(app)/+layout.ts",
            "src/routes/(app)/product/[id]/+page.svelte",
            "src/routes/(app)/product/[id]/+page.ts",
            "src/routes/(app)/product/[id]/+page.server.ts",
            "src/routes/(app)/product/[id]/Gallery.svelte",
            "src/routes/files/+layout.svelte",
            "src/routes/files/[...rest]/+page@.svelte",
            "src/routes/(app)/admin/+layout.svelte",
            "src/routes/(app)/admin/users/+layout.svelte",
            "src/routes/(app)/admin/users/[id]/+page@(app).svelte",
            "src/routes/[[lang]]/about/+page.svelte",
            "src/routes/api/cart/+server.ts",
            "src/routes/logout/+page.server.ts",
            "src/routes/logout/+page.ts",
            "src/hooks.server.ts",
        ]),
    );
    assert_eq!(
        summary(&routes),
        [
            ("/", Page, "src/routes/+page.svelte"),
            ("/[[lang]]/about", Page, "src/routes/[[lang]]/about/+page.svelte"),
            (
                "/admin/users/[id]",
                Page,
                "src/routes/(app)/admin/users/[id]/+page@(app).svelte"
            ),
            ("/api/cart", Handler, "src/routes/api/cart/+server.ts"),
            ("/files/[...rest]", Page, "src/routes/files/[...rest]/+page@.svelte"),
            // Load functions without a component: still a page (SvelteKit lists it).
            ("/logout", Page, "src/routes/logout/+page.ts"),
            ("/product/[id]", Page, "src/routes/(app)/product/[id]/+page.svelte"),
        ]
    );
    assert!(
        by_file(&routes, "src/routes/logout/+page.ts")
            .attached
            .contains(&"src/routes/logout/+page.server.ts".to_string())
    );
    assert_eq!(
        by_file(&routes, "src/routes/(app)/product/[id]/+page.svelte").attached,
        [
            "src/routes/+error.svelte",
            "src/routes/+layout.server.ts",
            "src/routes/+layout.svelte",
            "src/routes/(app)/+layout.ts",
            "src/routes/(app)/product/[id]/+page.server.ts",
            "src/routes/(app)/product/[id]/+page.ts",
        ]
    );
    assert!(by_file(&routes, "src/routes/api/cart/+server.ts").attached.is_empty());
    // `+page@.svelte` resets to the root layout: `files/+layout.svelte` does not wrap it.
    assert_eq!(
        by_file(&routes, "src/routes/files/[...rest]/+page@.svelte").attached,
        [
            "src/routes/+error.svelte",
            "src/routes/+layout.server.ts",
            "src/routes/+layout.svelte"
        ]
    );
    // `+page@(app).svelte` keeps `(app)`'s layout and those above, not `admin/`'s.
    assert_eq!(
        by_file(&routes, "src/routes/(app)/admin/users/[id]/+page@(app).svelte").attached,
        [
            "src/routes/+error.svelte",
            "src/routes/+layout.server.ts",
            "src/routes/+layout.svelte",
            "src/routes/(app)/+layout.ts",
        ]
    );
    assert_eq!(reached(&routes, "/about"), Some("/[[lang]]/about"));
    assert_eq!(reached(&routes, "/fr/about"), Some("/[[lang]]/about"));
}

#[test]
fn nuxt_routes() {
    let routes = discover_routes(
        Framework::Nuxt,
        &files(&[
            "app.vue",
            "error.vue",
            "layouts/default.vue",
            "layouts/checkout.vue",
            "pages/index.vue",
            "pages/product/[id].vue",
            "pages/blog/[...slug].vue",
            "pages/(marketing)/about.vue",
            "pages/account.vue",
            "pages/account/index.vue",
            "pages/account/orders.vue",
            // `index.vue` beside an `index/` folder: the parent of the pages in it, whose
            // URLs the `index` folder adds nothing to.
            "pages/u/[name]/index.vue",
            "pages/u/[name]/index/index.vue",
            "pages/u/[name]/index/followers.vue",
            "server/api/cart.get.ts",
            "server/api/users/[id].ts",
            "server/routes/sitemap.xml.ts",
            "components/Header.vue",
        ]),
    );
    assert_eq!(
        summary(&routes),
        [
            ("/", Page, "pages/index.vue"),
            ("/about", Page, "pages/(marketing)/about.vue"),
            ("/account", Page, "pages/account/index.vue"),
            ("/account/orders", Page, "pages/account/orders.vue"),
            ("/api/cart", Handler, "server/api/cart.get.ts"),
            ("/api/users/[id]", Handler, "server/api/users/[id].ts"),
            ("/blog/[...slug]", Page, "pages/blog/[...slug].vue"),
            ("/product/[id]", Page, "pages/product/[id].vue"),
            ("/sitemap.xml", Handler, "server/routes/sitemap.xml.ts"),
            ("/u/[name]", Page, "pages/u/[name]/index/index.vue"),
            ("/u/[name]/followers", Page, "pages/u/[name]/index/followers.vue"),
        ]
    );
    assert!(
        by_file(&routes, "pages/u/[name]/index/followers.vue")
            .attached
            .contains(&"pages/u/[name]/index.vue".to_string())
    );
    let globals = ["app.vue", "error.vue", "layouts/default.vue"];
    assert_eq!(by_file(&routes, "pages/product/[id].vue").attached, globals);
    let mut nested: Vec<&str> = globals.to_vec();
    nested.push("pages/account.vue");
    assert_eq!(by_file(&routes, "pages/account/orders.vue").attached, nested);
    assert!(by_file(&routes, "server/api/cart.get.ts").attached.is_empty());
}

#[test]
fn nuxt_4_app_directory() {
    let routes = discover_routes(
        Framework::Nuxt,
        &files(&[
            "app/app.vue",
            "app/layouts/default.vue",
            "app/pages/index.vue",
            "app/pages/cart.vue",
        ]),
    );
    assert_eq!(
        summary(&routes),
        [
            ("/", Page, "app/pages/index.vue"),
            ("/cart", Page, "app/pages/cart.vue")
        ]
    );
    assert_eq!(
        by_file(&routes, "app/pages/cart.vue").attached,
        ["app/app.vue", "app/layouts/default.vue"]
    );
}

#[test]
fn frameworks_without_file_routing_have_no_routes() {
    let project = files(&["app/page.tsx", "src/routes/+page.svelte", "pages/index.vue"]);
    for framework in [Framework::Angular, Framework::Vue, Framework::React, Framework::Unknown] {
        assert!(discover_routes(framework, &project).is_empty());
    }
}

#[test]
fn matcher_precedence() {
    let routes = pages(&[
        "/",
        "/product/new",
        "/product/[id]",
        "/product/[id]/reviews",
        "/blog/[...slug]",
        "/blog/featured",
        "/docs/[[...slug]]",
        "/docs",
        "/[...all]",
        "/shop/[id]-details",
    ]);
    assert_eq!(reached(&routes, "/"), Some("/"));
    assert_eq!(reached(&routes, "/product/new"), Some("/product/new"));
    assert_eq!(reached(&routes, "/product/42"), Some("/product/[id]"));
    assert_eq!(reached(&routes, "/product/42/reviews"), Some("/product/[id]/reviews"));
    assert_eq!(reached(&routes, "/blog/featured"), Some("/blog/featured"));
    assert_eq!(reached(&routes, "/blog/a/b"), Some("/blog/[...slug]"));
    assert_eq!(
        reached(&routes, "/blog"),
        Some("/[...all]"),
        "a required catch-all needs a segment"
    );
    assert_eq!(
        reached(&routes, "/docs"),
        Some("/docs"),
        "static beats an empty optional catch-all"
    );
    assert_eq!(reached(&routes, "/docs/a/b"), Some("/docs/[[...slug]]"));
    assert_eq!(reached(&routes, "/shop/7-details"), Some("/shop/[id]-details"));
    assert_eq!(reached(&routes, "/anything/else"), Some("/[...all]"));
}

#[test]
fn matcher_normalises_hrefs() {
    let routes = pages(&["/", "/cart", "/product/[id]"]);
    assert_eq!(reached(&routes, "/cart?x=1#top"), Some("/cart"));
    assert_eq!(reached(&routes, "/cart/"), Some("/cart"));
    assert_eq!(reached(&routes, "/?ref=home"), Some("/"));
    assert_eq!(reached(&routes, " /product/42# "), Some("/product/[id]"));
    for foreign in [
        "https://example.com/cart",
        "http://x/cart",
        "mailto:a@b.c",
        "#cart",
        "cart",
        "//cdn/cart",
        "",
    ] {
        assert_eq!(reached(&routes, foreign), None, "{foreign}");
    }
    assert_eq!(reached(&routes, "/missing"), None);
}

#[test]
fn matcher_template_literals() {
    let routes = pages(&["/product/new", "/product/[id]", "/blog/[...slug]", "/users/$id/edit"]);
    assert_eq!(
        reached(&routes, "/product/${id}"),
        Some("/product/[id]"),
        "a placeholder never matches static text"
    );
    assert_eq!(reached(&routes, "/product/${p.id}?tab=${tab}"), Some("/product/[id]"));
    assert_eq!(
        reached(&routes, "/product/${a / b}"),
        Some("/product/[id]"),
        "a slash inside ${{…}} does not split"
    );
    assert_eq!(reached(&routes, "/blog/${post.slug}"), Some("/blog/[...slug]"));
    assert_eq!(reached(&routes, "/users/${user.id}/edit"), Some("/users/$id/edit"));
    assert_eq!(reached(&routes, "/users/u-${id}/edit"), Some("/users/$id/edit"));
    assert_eq!(reached(&routes, "${base}/product/1"), None);
    assert!(pattern_matches("/product/[id]", "/product/${id}"));
    assert!(!pattern_matches("/product/new", "/product/${id}"));
}

/// Project-relative paths of every file of `dir` (skipping dependencies and Perceo's data).
fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("readable example directory") {
        let path = entry.expect("directory entry").path();
        let name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default();
        if name == "node_modules" || name == ".perceo" {
            continue;
        }
        if path.is_dir() {
            walk(root, &path, out);
        } else {
            let relative = path.strip_prefix(root).expect("inside root");
            out.push(
                relative
                    .components()
                    .map(|part| part.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/"),
            );
        }
    }
}

#[test]
fn example_shop_routes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/shop");
    let mut project = Vec::new();
    walk(&root, &root, &mut project);
    let routes = discover_routes(Framework::Nextjs, &project);

    let page_patterns: Vec<&str> = routes
        .iter()
        .filter(|route| route.kind == Page)
        .map(|route| route.pattern.as_str())
        .collect();
    for expected in [
        "/",
        "/product/[id]",
        "/cart",
        "/checkout",
        "/account",
        "/login",
        "/search",
        "/blog/[...slug]",
    ] {
        assert!(
            page_patterns.contains(&expected),
            "{expected} missing from {page_patterns:?}"
        );
    }
    assert_eq!(page_patterns.len(), 8, "{page_patterns:?}");
    let handlers: Vec<_> = routes.iter().filter(|route| route.kind == Handler).collect();
    assert_eq!(handlers.len(), 1);
    assert_eq!(
        (handlers[0].pattern.as_str(), handlers[0].file.as_str()),
        ("/api/cart", "app/api/cart/route.ts")
    );

    let page = |pattern: &str| {
        routes
            .iter()
            .find(|route| route.kind == Page && route.pattern == pattern)
            .unwrap()
    };
    assert!(page("/cart").attached.contains(&"app/(shop)/layout.tsx".to_owned()));
    assert!(!page("/search").attached.contains(&"app/(shop)/layout.tsx".to_owned()));
    assert!(
        page("/checkout")
            .attached
            .contains(&"app/(shop)/checkout/loading.tsx".to_owned())
    );
    for route in routes.iter().filter(|route| route.kind == Page) {
        assert!(route.attached.contains(&"app/layout.tsx".to_owned()), "{route:?}");
        assert!(route.attached.contains(&"app/not-found.tsx".to_owned()), "{route:?}");
    }

    assert_eq!(reached(&routes, "/product/${id}"), Some("/product/[id]"));
    assert_eq!(reached(&routes, "/checkout"), Some("/checkout"));
    assert_eq!(reached(&routes, "/blog/en/hello"), Some("/blog/[...slug]"));
}
