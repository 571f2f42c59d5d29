//! Generates `Key`, the typed list of user-visible strings, from `locales/*.json`.
//!
//! Why generated: every string the UI shows must exist in zh-CN and en. Doing the
//! check here turns a missing translation into a compile error instead of a blank
//! label in production, and gives the code a typo-proof `Key::LandingTitle`.
use std::{collections::BTreeMap, env, fs, path::Path};

const LOCALES: [&str; 2] = ["zh-CN", "en"];

/// A locale is `locales/<locale>.json` plus every `locales/<locale>/*.json` (one file
/// per feature area, so areas can grow side by side); a key defined twice is an error.
fn read_locale(dir: &Path, locale: &str) -> BTreeMap<String, String> {
    let mut paths = vec![dir.join(format!("{locale}.json"))];
    let area_dir = dir.join(locale);
    println!("cargo:rerun-if-changed={}", area_dir.display());
    if let Ok(entries) = fs::read_dir(&area_dir) {
        let mut areas: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        areas.sort();
        paths.extend(areas);
    }
    let mut table = BTreeMap::new();
    for path in paths {
        println!("cargo:rerun-if-changed={}", path.display());
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let part: BTreeMap<String, String> = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not a flat JSON object of strings: {e}", path.display()));
        for (key, value) in part {
            if table.insert(key.clone(), value).is_some() {
                panic!("locale {locale}: key {key} is defined twice ({})", path.display());
            }
        }
    }
    table
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
    let tables: Vec<BTreeMap<String, String>> = LOCALES.iter().map(|locale| read_locale(&dir, locale)).collect();

    let keys: Vec<&String> = tables[0].keys().collect();
    for (locale, table) in LOCALES.iter().zip(&tables).skip(1) {
        let other: Vec<&String> = table.keys().collect();
        if other != keys {
            let missing: Vec<_> = keys.iter().filter(|k| !table.contains_key(**k)).collect();
            let extra: Vec<_> = other.iter().filter(|k| !tables[0].contains_key(**k)).collect();
            panic!("locale {locale} differs from zh-CN: missing {missing:?}, extra {extra:?}");
        }
    }
    for (locale, table) in LOCALES.iter().zip(&tables) {
        if let Some((key, _)) = table.iter().find(|(_, v)| v.trim().is_empty()) {
            panic!("locale {locale}: key {key} has an empty text");
        }
    }

    let mut out = String::from("/// Every user-visible text, generated from `locales/*.json`.\n");
    out.push_str("#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\npub enum Key {\n");
    for key in &keys {
        out.push_str(&format!("    /// {}\n    {},\n", tables[1][*key].replace('\n', " "), camel(key)));
    }
    out.push_str("}\n\nimpl Key {\n    /// Every key, in the order of the tables below.\n    pub const ALL: &'static [Key] = &[\n");
    for key in &keys {
        out.push_str(&format!("        Key::{},\n", camel(key)));
    }
    out.push_str("    ];\n\n    /// The key as written in the locale files.\n    pub const fn name(self) -> &'static str {\n        match self {\n");
    for key in &keys {
        out.push_str(&format!("            Key::{} => {:?},\n", camel(key), key));
    }
    out.push_str("        }\n    }\n}\n\n");
    for (locale, table) in LOCALES.iter().zip(&tables) {
        let name = locale.replace('-', "_").to_uppercase();
        out.push_str(&format!("pub(crate) const TEXT_{name}: &[&str] = &[\n"));
        for key in &keys {
            out.push_str(&format!("    {:?},\n", table[*key]));
        }
        out.push_str("];\n\n");
    }
    let dest = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("i18n_keys.rs");
    fs::write(dest, out).expect("cannot write generated i18n keys");
}

fn camel(key: &str) -> String {
    key.split(['_', '.'])
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}
