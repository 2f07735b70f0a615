use super::*;

#[test]
fn keys_namespaces_templates_and_dynamic_keys_are_found() {
    let uses = scan(
        "const t = useTranslations('Checkout');\n\
         t('title'); i18n.t(\"cart.empty\"); this.$t('nav.home');\n\
         <Trans i18nKey=\"footer.legal\" /> <FormattedMessage id='promo.banner' />\n\
         intl.formatMessage({ id: 'errors.generic' }); t(`errors.${code}`);\n\
         format('not.a.key'); obj.t('also.not');\n",
    );
    assert_eq!(
        uses.keys,
        vec![
            "cart.empty",
            "errors.generic",
            "footer.legal",
            "nav.home",
            "promo.banner",
            "title"
        ]
    );
    assert_eq!(uses.prefixes, vec!["errors."]);
    assert_eq!(uses.namespaces, vec!["Checkout"]);
    assert!(!uses.dynamic);
    assert!(scan("t(key)").dynamic);
}

#[test]
fn a_file_names_a_key_literally_through_its_namespace_or_a_prefix() {
    let uses = scan("const t = useTranslations('Checkout');\nt('title'); t(`errors.${c}`);\n");
    assert!(uses.names("Checkout.title", None));
    assert!(!uses.names("Cart.title", None));
    assert!(uses.names("errors.card_declined", None));
    // i18next: `common.json`'s `save`, as `common:save` or through `useTranslation('common')`.
    assert!(scan("t('common:save')").names("save", Some("common")));
    assert!(scan("useTranslation('common'); t('save')").names("save", Some("common")));
    assert!(!scan("t('common:save')").names("cancel", Some("common")));
    assert!(scan("t(k)").names("anything", None));
}

#[test]
fn catalogs_are_found_by_folder_or_locale_name_and_diffed_by_leaf() {
    assert!(is_catalog_path("messages/en.json"));
    assert!(is_catalog_path("public/locales/en/common.json"));
    assert!(is_catalog_path("src/i18n/fr-CA.yml"));
    assert!(!is_catalog_path("package.json"));
    assert!(!is_catalog_path("src/data/products.json"));
    assert_eq!(catalog_namespace("public/locales/en/common.json"), Some("common"));
    assert_eq!(catalog_namespace("messages/pt-BR.json"), None);
    let old = catalog_entries("en.json", r#"{"a":{"b":"x","c":"y"},"d":"z"}"#).unwrap();
    let new = catalog_entries("en.json", r#"{"a":{"b":"x2","c":"y"},"e":"w"}"#).unwrap();
    assert_eq!(
        changed_keys(&old, &new).into_iter().collect::<Vec<_>>(),
        vec!["a.b", "d", "e"]
    );
    assert_eq!(
        catalog_entries("en.yml", "a:\n  b: x\n")
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        vec!["a.b"]
    );
    assert!(catalog_entries("en.json", "{ nope").is_none());
}
