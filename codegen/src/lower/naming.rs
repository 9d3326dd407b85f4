//! XML names to Rust identifiers that always compile, unique in their scope.

use std::collections::{HashMap, HashSet};

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Rust keywords (strict and reserved) that need `r#` or another spelling.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super", "_"];

/// Replaces what identifiers cannot hold, so heck's word splitting sees separators.
fn words(xml: &str) -> String {
    xml.chars()
        .map(|c| if c.is_alphanumeric() { c } else { '_' })
        .collect()
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c == '_' || unicode_start(c))
        && chars.all(|c| c == '_' || c.is_alphanumeric())
}

fn unicode_start(c: char) -> bool {
    c.is_alphabetic()
}

/// `UpperCamelCase` for types and variants; `fallback` names what has no letters at all, and
/// prefixes a name that would start with a digit.
pub fn type_name(xml: &str, fallback: &str) -> String {
    let name = words(xml).to_upper_camel_case();
    let name = match name.chars().next() {
        None => fallback.to_owned(),
        Some(c) if c.is_ascii_digit() => format!("{fallback}{name}"),
        Some(_) => name,
    };
    match name.as_str() {
        "Self" => "Self_".to_owned(),
        _ if is_identifier(&name) => name,
        _ => fallback.to_owned(),
    }
}

/// `snake_case` for fields and modules; keywords become raw identifiers (`r#type`).
pub fn field_name(xml: &str) -> String {
    let name = words(xml).to_snake_case();
    let name = match name.chars().next() {
        None => "field".to_owned(),
        Some(c) if c.is_ascii_digit() => format!("field_{name}"),
        Some(_) => name,
    };
    if NOT_RAW.contains(&name.as_str()) {
        format!("{name}_")
    } else if KEYWORDS.contains(&name.as_str()) {
        format!("r#{name}")
    } else if is_identifier(&name) {
        name
    } else {
        "field".to_owned()
    }
}

/// Names generated code uses from the prelude as values (`Some(…)`, `Ok(…)`): a generated
/// tuple or unit struct of the same name would shadow them, so scopes hold them back.
pub const PRELUDE_VALUES: &[&str] = &["Some", "None", "Ok", "Err"];

/// A scope of names (a module's types, a struct's fields, an enum's variants): hands out each
/// name once, adding a number to a name already taken.
#[derive(Debug, Default)]
pub struct Scope {
    taken: HashSet<String>,
    /// For each numbered stem (the bare name, and whether it takes `_`), the number to try
    /// first: every number below it is taken. Without it, the n-th clash of one name would
    /// probe n names, and a type with thousands of `item` fields would take quadratic time.
    next: HashMap<(String, bool), u64>,
}

impl Scope {
    pub fn new() -> Self {
        Self::default()
    }

    /// A scope in which `names` are already taken.
    pub fn with_reserved(names: &[&str]) -> Self {
        let mut scope = Self::new();
        scope.reserve(names);
        scope
    }

    /// Marks names as taken without handing them out (the names the emitter itself uses).
    pub fn reserve(&mut self, names: &[&str]) {
        self.taken.extend(names.iter().map(|n| (*n).to_owned()));
    }

    /// Gives back a name handed out but not used after all.
    pub fn release(&mut self, name: &str) {
        if !self.taken.remove(name) {
            return;
        }
        // If the name is a numbered form of a stem (`item_3`, `Item3`, or `Item2` of `Item`
        // as well as `Item22` of `Item2`), that number is free again.
        let digits = name.len() - name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        for split in name.len() - digits..name.len() {
            let (stem, number) = name.split_at(split);
            let Some(number) = number
                .parse::<u64>()
                .ok()
                .filter(|n| *n >= 2 && !number.starts_with('0'))
            else {
                continue;
            };
            let keys = [
                Some((stem.to_owned(), false)),
                stem.strip_suffix('_').map(|bare| (bare.to_owned(), true)),
            ];
            for key in keys.into_iter().flatten() {
                if let Some(next) = self.next.get_mut(&key) {
                    *next = (*next).min(number);
                }
            }
        }
    }

    /// `wanted` if it is free, else `wanted2`, `wanted3`, … (`wanted_2` … for snake case).
    pub fn claim(&mut self, wanted: &str) -> String {
        if self.taken.insert(wanted.to_owned()) {
            return wanted.to_owned();
        }
        let snake = wanted
            .chars()
            .next()
            .is_some_and(|c| c.is_lowercase() || c == '_');
        // `self_` taken: `self_2`, not `self__2` (a double underscore is not snake case).
        let bare = wanted
            .strip_prefix("r#")
            .unwrap_or(wanted)
            .trim_end_matches('_');
        let next = self.next.entry((bare.to_owned(), snake)).or_insert(2);
        loop {
            let candidate = if snake {
                format!("{bare}_{next}")
            } else {
                format!("{bare}{next}")
            };
            *next += 1;
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_upper_camel_case_and_never_start_with_a_digit() {
        assert_eq!(type_name("SMS-SUBMIT-PDU", "Type"), "SmsSubmitPdu");
        assert_eq!(type_name("si-id", "Type"), "SiId");
        assert_eq!(type_name("3gpp", "Type"), "Type3gpp");
        assert_eq!(type_name("Self", "Type"), "Self_");
        assert_eq!(type_name("--", "Value"), "Value");
        assert_eq!(type_name("a.b", "Type"), "AB");
    }

    #[test]
    fn fields_are_snake_case_and_keywords_stay_usable() {
        assert_eq!(field_name("class"), "class"); // a keyword elsewhere, not in Rust
        assert_eq!(field_name("match"), "r#match");
        assert_eq!(field_name("type"), "r#type");
        assert_eq!(field_name("self"), "self_");
        assert_eq!(field_name("si-expires"), "si_expires");
        assert_eq!(field_name("MCC"), "mcc");
        assert_eq!(field_name("1st"), "field_1st");
    }

    #[test]
    fn a_scope_numbers_repeated_names() {
        let mut scope = Scope::new();
        assert_eq!(scope.claim("Item"), "Item");
        assert_eq!(scope.claim("Item"), "Item2");
        assert_eq!(scope.claim("r#type"), "r#type");
        assert_eq!(scope.claim("r#type"), "type_2");
        assert_eq!(scope.claim("name"), "name");
        assert_eq!(scope.claim("name"), "name_2");
        assert_eq!(scope.claim("self_"), "self_");
        assert_eq!(scope.claim("self_"), "self_2");
    }

    #[test]
    fn a_released_number_is_handed_out_again() {
        let mut scope = Scope::new();
        for expected in ["Item", "Item2", "Item3", "Item4"] {
            assert_eq!(scope.claim("Item"), expected);
        }
        scope.release("Item3");
        assert_eq!(scope.claim("Item"), "Item3");
        assert_eq!(scope.claim("Item"), "Item5");
        // A name taken as such, not numbered, counts too.
        assert_eq!(scope.claim("a_2"), "a_2");
        assert_eq!(scope.claim("a"), "a");
        assert_eq!(scope.claim("a"), "a_3");
        scope.release("a_2");
        assert_eq!(scope.claim("a"), "a_2");
    }

    /// Fifty thousand clashes of one name: probing from 2 each time was 1.25 billion
    /// lookups.
    #[test]
    fn many_clashes_of_one_name_are_numbered_in_order() {
        let mut scope = Scope::new();
        let names: Vec<String> = (0..50_000).map(|_| scope.claim("leaf")).collect();
        assert_eq!(names[0], "leaf");
        assert_eq!(names[1], "leaf_2");
        assert_eq!(names[49_999], "leaf_50000");
    }
}
