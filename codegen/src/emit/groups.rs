//! Types that are more than one element's content: groups of elements that read themselves
//! from their parent's children (choices, sequence occurrences, substitution groups, all
//! `soap_runtime::XmlGroup`), the pieces of mixed content (`XmlMixed`), and the enums of a
//! base type and its derived types (`XmlValue`, told apart by `xsi:type`).

use proc_macro2::TokenStream;
use quote::quote;

use super::read::{child_match, dispatch, Target, READ_IN_ORDER};
use super::types::{derives, field_decls, write_fields};
use super::{ident, opt_doc, qname, type_tokens, Scope};
use crate::ir::{ChoiceVariant, DerivedSet, Field, FieldKind, TypeItem, VariantKind};

/// A variant's payload type, as declared.
fn variant_type(v: &ChoiceVariant, scope: Scope) -> TokenStream {
    if v.kind == VariantKind::Any {
        return quote! { ::soap_runtime::AnyElement };
    }
    let mut ty = type_tokens(&v.ty, scope);
    if v.boxed {
        ty = quote! { ::std::boxed::Box<#ty> };
    }
    if v.many {
        ty = quote! { ::std::vec::Vec<#ty> };
    }
    ty
}

fn variant_decls(variants: &[ChoiceVariant], scope: Scope) -> Vec<TokenStream> {
    variants
        .iter()
        .map(|v| {
            let variant = ident(&v.rust);
            let doc = opt_doc(v.doc.as_deref());
            let ty = variant_type(v, scope);
            let note = match &v.kind {
                VariantKind::Element(x) if v.many => {
                    format!(" Elements `{}`, one after another.", x.local)
                }
                VariantKind::Element(x) => format!(" Element `{}`.", x.local),
                VariantKind::Group => " A group of elements.".to_owned(),
                VariantKind::Any => " An element matched by `xsd:any`.".to_owned(),
                VariantKind::Text => String::new(),
            };
            let note = (!note.is_empty()).then(|| quote! { #[doc = #note] });
            quote! { #doc #note #variant(#ty), }
        })
        .collect()
}

/// The match arm writing one variant.
fn write_variant(v: &ChoiceVariant) -> TokenStream {
    let variant = ident(&v.rust);
    match &v.kind {
        VariantKind::Any => quote! { Self::#variant(value) => value.write(w), },
        VariantKind::Text => quote! { Self::#variant(text) => w.text().push(text), },
        VariantKind::Group if v.many => quote! { Self::#variant(values) => w.groups(values), },
        VariantKind::Group => quote! { Self::#variant(value) => w.group(value), },
        VariantKind::Element(x) => {
            let q = qname(x);
            if v.many {
                quote! { Self::#variant(values) => w.elements(#q, values), }
            } else if v.boxed {
                quote! { Self::#variant(value) => w.element(#q, &**value), }
            } else {
                quote! { Self::#variant(value) => w.element(#q, value), }
            }
        }
    }
}

/// The parameter and body of a group's `accepts`: the tests of its names and groups, or
/// `true` alone when a wildcard takes any child (a constant needs no name, and clippy
/// calls `… || true` a logic bug).
fn accepts_fn(tests: Vec<TokenStream>, wildcard: bool) -> (TokenStream, TokenStream) {
    if wildcard {
        (quote! { _local }, quote! { true })
    } else if tests.is_empty() {
        (quote! { _local }, quote! { false })
    } else {
        (quote! { local }, quote! { #(#tests)||* })
    }
}

/// How a choice or mixed content reads the child it has: the arm of the child's name, else
/// the wildcard's value, else `miss` (the function's whole result, returned from inside the
/// match). `wrap` makes the result of what an arm or the wildcard gives. Without named arms
/// there is no match at all (clippy's `match_single_binding`).
fn read_by_name(
    arms: &[TokenStream],
    wildcard: Option<TokenStream>,
    miss: TokenStream,
    wrap: impl Fn(TokenStream) -> TokenStream,
) -> TokenStream {
    match (arms.is_empty(), wildcard) {
        (true, Some(any)) => wrap(any),
        (true, None) => miss,
        (false, Some(any)) => wrap(quote! { match child.local_name() { #(#arms)* _ => #any, } }),
        (false, None) => wrap(quote! { match child.local_name() { #(#arms)* _ => return #miss, } }),
    }
}

/// A choice (or a substitution group): an enum that reads the alternative its parent's next
/// child begins.
pub fn choice_item(
    doc: &TokenStream,
    name: &str,
    variants: &[ChoiceVariant],
    scope: Scope,
) -> TokenStream {
    let name = ident(name);
    let decls = variant_decls(variants, scope);
    let writes = variants.iter().map(write_variant);
    let names: Vec<&str> = variants
        .iter()
        .filter_map(|v| match &v.kind {
            VariantKind::Element(x) => Some(x.local.as_str()),
            _ => None,
        })
        .collect();
    let mut accepts = Vec::new();
    if !names.is_empty() {
        accepts.push(quote! { matches!(local, #(#names)|*) });
    }
    let has_wildcard = variants.iter().any(|v| v.kind == VariantKind::Any);
    let mut arms = Vec::new();
    let mut wildcard = None;
    for v in variants {
        let variant = ident(&v.rust);
        match &v.kind {
            VariantKind::Element(x) => {
                let local = &x.local;
                let read = if v.boxed {
                    quote! { child.read_boxed()? }
                } else {
                    quote! { child.read()? }
                };
                arms.push(if v.many {
                    quote! { #local => { child.put_back(); Self::#variant(parent.read_consecutive(#local)?) } }
                } else {
                    quote! { #local => Self::#variant(#read), }
                });
            }
            VariantKind::Group => {
                let mut ty = type_tokens(&v.ty, scope);
                if v.boxed {
                    ty = quote! { ::std::boxed::Box<#ty> };
                }
                accepts.push(quote! { <#ty as ::soap_runtime::XmlGroup>::accepts(local) });
                let read = if v.many {
                    quote! { parent.read_groups()? }
                } else {
                    quote! { <#ty as ::soap_runtime::XmlGroup>::read_group(parent)? }
                };
                arms.push(quote! {
                    name if <#ty as ::soap_runtime::XmlGroup>::accepts(name) => { child.put_back(); Self::#variant(#read) }
                });
            }
            VariantKind::Any => wildcard = Some(quote! { Self::#variant(child.capture()?) }),
            VariantKind::Text => {}
        }
    }
    let first = names.first().copied().unwrap_or_default();
    // A child no arm takes is the wildcard's, or not this choice's at all.
    let read = read_by_name(
        &arms,
        wildcard,
        quote! { Err(child.unexpected(#first)) },
        |value| quote! { Ok(#value) },
    );
    let (local, accepts) = accepts_fn(accepts, has_wildcard);
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name { #(#decls)* }

        impl ::soap_runtime::XmlGroup for #name {
            fn write_group(&self, w: &mut ::soap_runtime::XmlWriter) {
                match self { #(#writes)* }
            }
            fn accepts(#local: &str) -> bool { #accepts }
            fn read_group(parent: &mut ::soap_runtime::Element<'_, '_>) -> ::std::result::Result<Self, ::soap_runtime::ReadError> {
                let Some(child) = parent.next_child()? else { return Err(parent.missing(#first)); };
                #read
            }
        }
    }
}

/// One occurrence of a sequence: a struct that reads its elements in order from its
/// parent's children, and stops where the next occurrence begins.
pub fn sequence_item(
    doc: &TokenStream,
    item: &TypeItem,
    fields: &[Field],
    scope: Scope,
) -> TokenStream {
    let name = ident(&item.name);
    let derive = derives(item.default);
    let decls = field_decls(fields, scope);
    let writes = write_fields(fields);
    let read = dispatch(
        fields,
        scope,
        Target {
            into_value: false,
            in_order: true,
            taken: READ_IN_ORDER,
        },
    );
    let arms = child_match(&read.arms, Some(quote! { { child.put_back(); break; } }));
    let (locals, inits) = (read.locals, read.inits);
    let mut accepts = Vec::new();
    let names: Vec<&str> = fields
        .iter()
        .filter_map(|f| match &f.kind {
            FieldKind::Element(x) => Some(x.local.as_str()),
            _ => None,
        })
        .collect();
    if !names.is_empty() {
        accepts.push(quote! { matches!(local, #(#names)|*) });
    }
    for f in fields {
        if let FieldKind::Group { .. } = &f.kind {
            let mut ty = type_tokens(&f.ty, scope);
            if f.boxed {
                ty = quote! { ::std::boxed::Box<#ty> };
            }
            accepts.push(quote! { <#ty as ::soap_runtime::XmlGroup>::accepts(local) });
        }
    }
    let has_wildcard = fields.iter().any(|f| matches!(f.kind, FieldKind::Any));
    let (local, accepts) = accepts_fn(accepts, has_wildcard);
    let w = if fields.is_empty() {
        quote! { _w }
    } else {
        quote! { w }
    };
    quote! {
        #doc
        #derive
        pub struct #name { #(#decls)* }

        impl ::soap_runtime::XmlGroup for #name {
            fn write_group(&self, #w: &mut ::soap_runtime::XmlWriter) { #(#writes)* }
            fn accepts(#local: &str) -> bool { #accepts }
            fn read_group(parent: &mut ::soap_runtime::Element<'_, '_>) -> ::std::result::Result<Self, ::soap_runtime::ReadError> {
                #(#locals)*
                // The position in the sequence of the last element read.
                let mut at = 0usize;
                while let Some(child) = parent.next_child()? { #arms }
                Ok(Self { #(#inits)* })
            }
        }
    }
}

/// The pieces of mixed content: text, and each element the type may hold.
pub fn mixed_item(
    doc: &TokenStream,
    name: &str,
    variants: &[ChoiceVariant],
    scope: Scope,
) -> TokenStream {
    let name = ident(name);
    let decls = variant_decls(variants, scope);
    let writes = variants.iter().map(write_variant);
    let text = variants
        .iter()
        .find(|v| v.kind == VariantKind::Text)
        .map(|v| ident(&v.rust));
    let mut arms = Vec::new();
    let mut wildcard = None;
    for v in variants {
        let variant = ident(&v.rust);
        match &v.kind {
            VariantKind::Element(x) => {
                let local = &x.local;
                arms.push(quote! { #local => Self::#variant(child.read()?), });
            }
            VariantKind::Any => wildcard = Some(quote! { Self::#variant(child.capture()?) }),
            VariantKind::Group | VariantKind::Text => {}
        }
    }
    let child = if arms.is_empty() && wildcard.is_none() {
        quote! { _child }
    } else {
        quote! { child }
    };
    // An element no arm takes is the wildcard's, or left to the caller (`None`).
    let read = read_by_name(
        &arms,
        wildcard,
        quote! { Ok(None) },
        |value| quote! { Ok(Some(#value)) },
    );
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name { #(#decls)* }

        impl ::soap_runtime::XmlMixed for #name {
            fn text(text: ::std::string::String) -> Self { Self::#text(text) }
            fn read_element(#child: ::soap_runtime::Element<'_, '_>) -> ::std::result::Result<::std::option::Option<Self>, ::soap_runtime::ReadError> {
                #read
            }
            fn write_mixed(&self, w: &mut ::soap_runtime::XmlWriter) {
                match self { #(#writes)* }
            }
        }
    }
}

/// A base type and those derived from it: each variant holds its own struct, and names its
/// type in `xsi:type` (the base's does not need to). The arms are kept to one line each, as
/// a base can have hundreds of derived types: when they share one namespace (the usual case)
/// only local names are matched.
pub fn derived_item(
    doc: &TokenStream,
    item: &TypeItem,
    set: &DerivedSet,
    scope: Scope,
) -> TokenStream {
    let name = ident(&item.name);
    let decls = set.variants.iter().map(|v| {
        let variant = ident(&v.rust);
        let ty = type_tokens(&crate::ir::TypeExpr::Named(v.ty.clone()), scope);
        let note = match &v.xsi_type {
            Some(x) => format!(" Type `{}` (`xsi:type` names it).", x.local),
            None => format!(" Type `{}` itself.", set.base_xml),
        };
        quote! { #[doc = #note] #variant(::std::boxed::Box<#ty>), }
    });
    let mut namespaces: Vec<Option<&str>> = set
        .variants
        .iter()
        .filter_map(|v| Some(v.xsi_type.as_ref()?.ns.as_deref()))
        .collect();
    namespaces.dedup();
    let shared = match namespaces.as_slice() {
        [ns] => Some(ns.unwrap_or("")),
        _ => None,
    };
    let delegate = |method: TokenStream| {
        if set.variants.is_empty() {
            return quote! { let _ = w; match *self {} };
        }
        let arms = set.variants.iter().map(|v| {
            let variant = ident(&v.rust);
            quote! { Self::#variant(value) => value.#method(w), }
        });
        // The trait's own methods are in scope in its impl: no path needed.
        quote! { match self { #(#arms)* } }
    };
    let write_attributes = delegate(quote! { write_attributes });
    let write_content = delegate(quote! { write_content });
    let names = set.variants.iter().map(|v| {
        let variant = ident(&v.rust);
        match (&v.xsi_type, shared) {
            (None, _) => quote! { Self::#variant(_) => return None, },
            (Some(x), Some(_)) => {
                let local = &x.local;
                quote! { Self::#variant(_) => #local, }
            }
            (Some(x), None) => {
                let (ns, local) = (x.ns.as_deref().unwrap_or(""), &x.local);
                quote! { Self::#variant(_) => (#ns, #local), }
            }
        }
    });
    let xsi_type = match shared {
        _ if set.variants.is_empty() => quote! { match *self {} },
        _ if set.variants.iter().all(|v| v.xsi_type.is_none()) => quote! { None },
        Some(ns) => {
            let ns = if ns.is_empty() {
                quote! { None }
            } else {
                quote! { Some(#ns) }
            };
            quote! {
                let local = match self { #(#names)* };
                Some(::soap_runtime::QName { ns: #ns, local })
            }
        }
        None => quote! {
            let (ns, local) = match self { #(#names)* };
            Some(::soap_runtime::QName { ns: (!ns.is_empty()).then_some(ns), local })
        },
    };
    let reads = set.variants.iter().filter_map(|v| {
        let variant = ident(&v.rust);
        let x = v.xsi_type.as_ref()?;
        let (ns, local) = (x.ns.as_deref().unwrap_or(""), &x.local);
        Some(match shared {
            Some(_) => quote! { Some(#local) => Self::#variant(element.read_boxed()?), },
            None => quote! { Some((#ns, #local)) => Self::#variant(element.read_boxed()?), },
        })
    });
    let chosen = match shared {
        Some(ns) => quote! { derived.as_ref().and_then(|t| t.local_in(#ns)) },
        None => quote! { derived.as_ref().map(::soap_runtime::QNameValue::parts) },
    };
    let base = set.variants.iter().find(|v| v.xsi_type.is_none());
    let fallback = match base {
        Some(v) => {
            let variant = ident(&v.rust);
            quote! { _ => Self::#variant(element.read_boxed()?), }
        }
        None => {
            let base = &set.base_xml;
            quote! { _ => return Err(element.abstract_type(#base)), }
        }
    };
    let default = match base.filter(|_| item.default) {
        Some(v) => {
            let variant = ident(&v.rust);
            quote! {
                impl ::std::default::Default for #name {
                    fn default() -> Self { Self::#variant(::std::default::Default::default()) }
                }
            }
        }
        None => TokenStream::new(),
    };
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name { #(#decls)* }

        #default

        impl ::soap_runtime::XmlValue for #name {
            fn xsi_type(&self) -> ::std::option::Option<::soap_runtime::QName> { #xsi_type }
            fn write_attributes(&self, w: &mut ::soap_runtime::XmlWriter) { #write_attributes }
            fn write_content(&self, w: &mut ::soap_runtime::XmlWriter) { #write_content }
            fn read(element: ::soap_runtime::Element<'_, '_>) -> ::std::result::Result<Self, ::soap_runtime::ReadError> {
                let derived = element.xsi_type()?;
                Ok(match #chosen {
                    #(#reads)*
                    #fallback
                })
            }
        }
    }
}
