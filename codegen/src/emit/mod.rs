//! Stage 3: the IR as Rust tokens (quote), then as text (prettyplease).
//!
//! Generated code names everything by a full path (`::soap_runtime::…`, `::std::…`), so it
//! compiles whatever the including crate has in scope, and leans on the runtime's traits for
//! all XML work: each type gets a short `XmlValue` or `SimpleValue` impl, no state machine.

mod groups;
mod operations;
mod read;
mod types;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::ir::{Builtin, Module, TypeExpr, XmlName};

/// Which sides of each binding to write besides its operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sides {
    /// A typed client.
    pub client: bool,
    /// A server trait and its dispatcher.
    pub server: bool,
}

/// How the module will be compiled, which decides where its documentation can go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// A file of its own (`mod name;`) or a crate's `lib.rs`: the module's documentation is
    /// written as inner doc comments.
    Module,
    /// Text for `include!`, which takes no inner attributes: the module's documentation is
    /// written as plain comments, for the including module to document itself.
    Include,
}

/// One top-level piece of the module, rendered on its own.
enum Unit<'m> {
    Doc,
    Type(&'m crate::ir::TypeItem),
    Binding(&'m crate::ir::BindingItem),
}

/// The whole module as text, after `header` lines.
///
/// Turning tokens into a syntax tree and the tree into text is most of the generator's time,
/// and each top-level item can be rendered on its own, so every core takes items from a shared
/// queue, the biggest first. The items are joined in module order, so the text does not depend
/// on how many threads rendered it, or which.
pub fn emit(
    module: &Module,
    header: &[String],
    sides: Sides,
    form: Form,
) -> Result<String, String> {
    let doc = (form == Form::Module).then_some(Unit::Doc);
    let units: Vec<Unit<'_>> = doc
        .into_iter()
        .chain(module.types.iter().map(Unit::Type))
        .chain(module.bindings.iter().map(Unit::Binding))
        .collect();
    // Largest first, so no thread is left with a big item at the end.
    let mut queue: Vec<usize> = (0..units.len()).collect();
    queue.sort_by_key(|&i| std::cmp::Reverse(weight(&units[i])));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let taken = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(&index) = queue.get(taken) else {
                break done;
            };
            done.push((index, render(&units[index], module, sides)));
        }
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut rendered: Vec<(usize, Result<String, String>)> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let mut all = work();
        for helper in helpers {
            match helper.join() {
                Ok(done) => all.extend(done),
                Err(_) => all.push((usize::MAX, Err("a rendering thread panicked".to_owned()))),
            }
        }
        all
    });
    rendered.sort_by_key(|(index, _)| *index);
    let mut text = String::new();
    let doc_comments = match form {
        Form::Module => Vec::new(),
        Form::Include => doc_lines(&module.doc.join("\n\n")),
    };
    for line in header.iter().chain(&doc_comments) {
        text.push_str("// ");
        text.push_str(line.trim_start());
        text.push('\n');
    }
    let mut body = String::new();
    for (_, item) in rendered {
        body.push_str(&item?);
    }
    text.push_str(&spaced(&body));
    Ok(text)
}

/// About how much code a unit becomes, to take the big ones first.
fn weight(unit: &Unit<'_>) -> usize {
    match unit {
        Unit::Doc => 1,
        Unit::Type(item) => match &item.kind {
            crate::ir::TypeKind::Struct(def) => 8 + 6 * (def.fields.len() + def.attributes.len()),
            crate::ir::TypeKind::Headers(fields) => 10 + 6 * fields.len(),
            crate::ir::TypeKind::Enum(variants) => 8 + 3 * variants.len(),
            crate::ir::TypeKind::Choice(variants) | crate::ir::TypeKind::Mixed(variants) => {
                8 + 4 * variants.len()
            }
            crate::ir::TypeKind::Sequence(fields) => 12 + 6 * fields.len(),
            crate::ir::TypeKind::Derived(set) => 8 + 5 * set.variants.len(),
            crate::ir::TypeKind::Faults(variants) => 8 + 3 * variants.len(),
            crate::ir::TypeKind::Newtype { facets, .. } => 12 + 4 * facets.len(),
            crate::ir::TypeKind::Alias(_) => 1,
        },
        Unit::Binding(binding) => 4 + 60 * binding.operations.len(),
    }
}

/// Renders one unit: tokens (quote), a syntax tree (syn), text (prettyplease).
fn render(unit: &Unit<'_>, module: &Module, sides: Sides) -> Result<String, String> {
    let tokens = match unit {
        Unit::Doc => doc_attrs_inner(&module.doc.join("\n\n")),
        Unit::Type(item) => types::type_item(item, Scope::Top),
        Unit::Binding(binding) => operations::binding(binding, sides),
    };
    let mut file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("the generated tokens do not parse: {e}"))?;
    for item in &mut file.items {
        allow_lints(item, false);
    }
    Ok(prettyplease::unparse(&file))
}

/// Marks an item so that a user's crate builds warning-free whatever it uses of the module:
/// most users call a few operations of a large WSDL, and the rest would be dead code in a
/// private module or a binary. Enums also allow two clippy lints that are about the schema,
/// not the code: `enum_variant_names` (variant names come from the schema: ONVIF's
/// enumerations share prefixes) and `large_enum_variant` (the alternatives of a choice are as
/// big as the schema makes them; boxing some would change the API for a size the user did not
/// ask about). Trait impls never warn, so they are left as they are. Inside a binding module,
/// whose own attribute covers dead code, only enums need one.
fn allow_lints(item: &mut syn::Item, in_binding: bool) {
    let attrs = match item {
        syn::Item::Enum(item) if in_binding => {
            item.attrs.push(syn::parse_quote!(
                #[allow(clippy::enum_variant_names, clippy::large_enum_variant)]
            ));
            return;
        }
        syn::Item::Enum(item) => {
            item.attrs.push(syn::parse_quote!(
                #[allow(dead_code, clippy::enum_variant_names, clippy::large_enum_variant)]
            ));
            return;
        }
        _ if in_binding => return,
        syn::Item::Mod(module) => {
            for inner in module.content.iter_mut().flat_map(|(_, items)| items) {
                allow_lints(inner, true);
            }
            &mut module.attrs
        }
        syn::Item::Struct(item) => &mut item.attrs,
        syn::Item::Type(item) => &mut item.attrs,
        syn::Item::Const(item) => &mut item.attrs,
        syn::Item::Impl(item) if item.trait_.is_none() => &mut item.attrs,
        _ => return,
    };
    attrs.push(syn::parse_quote!(#[allow(dead_code)]));
}

/// prettyplease puts items right after one another; a blank line after each item that ends
/// at the top level or in a binding module makes the file readable.
fn spaced(code: &str) -> String {
    let mut out = String::with_capacity(code.len() + code.len() / 20);
    let mut lines = code.lines().peekable();
    while let Some(line) = lines.next() {
        out.push_str(line);
        out.push('\n');
        let ends_item = matches!(line, "}" | "    }" | "    };" | "];" | "    ];")
            || ((line.starts_with("pub type ") || line.starts_with("    pub type "))
                && line.ends_with(';'));
        let next_closes = lines
            .peek()
            .is_none_or(|next| next.trim_start().starts_with('}') || next.is_empty());
        if ends_item && !next_closes {
            out.push('\n');
        }
    }
    out
}

/// Where generated code sits: the module's top level, or a binding's module (one level down).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Top,
    Binding,
}

pub fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// `#[doc]` attributes, one per line. Fences are defused so no doc text becomes a doctest.
pub fn doc_attrs(text: &str) -> TokenStream {
    let lines = doc_lines(text);
    quote! { #(#[doc = #lines])* }
}

fn doc_attrs_inner(text: &str) -> TokenStream {
    let lines = doc_lines(text);
    quote! { #(#![doc = #lines])* }
}

fn doc_lines(text: &str) -> Vec<String> {
    if text.is_empty() {
        return Vec::new();
    }
    // Tabs become spaces: rustdoc renders them unevenly, and clippy warns of them.
    text.lines()
        .map(|line| format!(" {}", line.replace("```", "'''").replace('\t', "    ")))
        .collect()
}

pub fn opt_doc(doc: Option<&str>) -> TokenStream {
    doc.map(doc_attrs).unwrap_or_default()
}

/// An XML name as the writer takes it: a string literal for an unqualified name (most of a
/// SOAP body), a `QName` for a qualified one.
pub fn qname(name: &XmlName) -> TokenStream {
    let local = &name.local;
    match &name.ns {
        Some(ns) => quote! { ::soap_runtime::QName::qualified(#ns, #local) },
        None => quote! { #local },
    }
}

/// An XML name as a `QName` value (in constants).
pub fn qname_value(name: &XmlName) -> TokenStream {
    let local = &name.local;
    match &name.ns {
        Some(ns) => quote! { ::soap_runtime::QName::qualified(#ns, #local) },
        None => quote! { ::soap_runtime::QName::unqualified(#local) },
    }
}

/// The Rust type a type expression stands for, as seen from `scope`.
pub fn type_tokens(ty: &TypeExpr, scope: Scope) -> TokenStream {
    match ty {
        TypeExpr::Builtin(builtin) => builtin_tokens(*builtin),
        TypeExpr::Named(name) => {
            let name = ident(name);
            match scope {
                Scope::Top => quote! { #name },
                Scope::Binding => quote! { super::#name },
            }
        }
        TypeExpr::Local(name) => {
            let name = ident(name);
            quote! { #name }
        }
        TypeExpr::List(item) => {
            let item = type_tokens(item, scope);
            quote! { ::soap_runtime::List<#item> }
        }
    }
}

fn builtin_tokens(builtin: Builtin) -> TokenStream {
    match builtin {
        Builtin::String => quote! { ::std::string::String },
        Builtin::Bool => quote! { bool },
        Builtin::I8 => quote! { i8 },
        Builtin::I16 => quote! { i16 },
        Builtin::I32 => quote! { i32 },
        Builtin::I64 => quote! { i64 },
        Builtin::I128 => quote! { i128 },
        Builtin::U8 => quote! { u8 },
        Builtin::U16 => quote! { u16 },
        Builtin::U32 => quote! { u32 },
        Builtin::U64 => quote! { u64 },
        Builtin::U128 => quote! { u128 },
        Builtin::F32 => quote! { f32 },
        Builtin::F64 => quote! { f64 },
        Builtin::QName => quote! { ::soap_runtime::QNameValue },
        Builtin::Decimal => quote! { ::soap_runtime::Decimal },
        Builtin::DateTime => quote! { ::soap_runtime::DateTime },
        Builtin::Date => quote! { ::soap_runtime::Date },
        Builtin::Time => quote! { ::soap_runtime::Time },
        Builtin::HexBinary => quote! { ::soap_runtime::HexBinary },
        Builtin::Base64Binary => quote! { ::soap_runtime::Base64Binary },
        Builtin::AnyContent => quote! { ::soap_runtime::AnyContent },
        Builtin::Empty => quote! { ::soap_runtime::Empty },
    }
}
