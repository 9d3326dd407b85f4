//! Types: structs, enums, choices, newtypes, aliases, headers and fault sets, each with its
//! runtime trait impl.

use std::collections::HashMap;

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};

use super::{doc_attrs, ident, opt_doc, qname, qname_value, type_tokens, Scope};
use crate::ir::{
    ChoiceVariant, EnumVariant, FacetCheck, FaultVariant, Field, FieldKind, Occurs, StructDef,
    TypeExpr, TypeItem, TypeKind,
};

pub fn type_item(item: &TypeItem, scope: Scope, choices: &Choices<'_>) -> TokenStream {
    let doc = match &item.doc {
        Some(doc) => format!("{doc}\n\nXML: {}.", item.origin),
        None => format!("XML: {}.", item.origin),
    };
    let doc = doc_attrs(&doc);
    let name = ident(&item.name);
    match &item.kind {
        TypeKind::Struct(def) => struct_item(&doc, item, def, scope, choices),
        TypeKind::Headers(fields) => headers_item(&doc, item, fields, scope, choices),
        TypeKind::Enum(variants) => enum_item(&doc, &item.name, variants),
        TypeKind::Choice(variants) => choice_item(&doc, &item.name, variants, scope),
        TypeKind::Faults(variants) => faults_item(&doc, &item.name, variants, scope),
        TypeKind::Newtype {
            inner,
            facets,
            notes,
        } => newtype_item(&doc, &item.name, inner, facets, notes, scope),
        TypeKind::Alias(inner) => {
            let inner = type_tokens(inner, scope);
            quote! { #doc pub type #name = #inner; }
        }
    }
}

fn derives(default: bool) -> TokenStream {
    if default {
        quote! { #[derive(Debug, Clone, PartialEq, Default)] }
    } else {
        quote! { #[derive(Debug, Clone, PartialEq)] }
    }
}

/// The Rust type of a field, with its occurrence.
fn field_type(field: &Field, scope: Scope) -> TokenStream {
    if field.kind == FieldKind::Any {
        return quote! { ::std::vec::Vec<::soap_runtime::AnyElement> };
    }
    let mut ty = type_tokens(&field.ty, scope);
    if field.boxed {
        ty = quote! { ::std::boxed::Box<#ty> };
    }
    match field.occurs {
        Occurs::Required => ty,
        Occurs::Optional { .. } => quote! { ::std::option::Option<#ty> },
        Occurs::Many => quote! { ::std::vec::Vec<#ty> },
        Occurs::ManyNillable => quote! { ::std::vec::Vec<::std::option::Option<#ty>> },
    }
}

fn struct_fields(def: &StructDef, scope: Scope) -> Vec<TokenStream> {
    let mut out = Vec::new();
    for a in &def.attributes {
        let doc = opt_doc(a.doc.as_deref());
        let name = ident(&a.rust);
        let mut ty = type_tokens(&a.ty, scope);
        if !a.required {
            ty = quote! { ::std::option::Option<#ty> };
        }
        let note = format!(" Attribute `{}`.", a.name.local);
        let spacer = a.doc.as_ref().map(|_| quote! { #[doc = ""] });
        out.push(quote! { #doc #spacer #[doc = #note] pub #name: #ty, });
    }
    for f in &def.fields {
        let doc = opt_doc(f.doc.as_deref());
        let name = ident(&f.rust);
        let ty = field_type(f, scope);
        let note = match &f.kind {
            FieldKind::Element(x) => format!(" Element `{}`.", x.local),
            FieldKind::Choice(_) => " One of several elements.".to_owned(),
            FieldKind::Any => " Elements matched by `xsd:any`, as written.".to_owned(),
            FieldKind::ArrayItems { .. } => " The array's items.".to_owned(),
        };
        let spacer = f.doc.as_ref().map(|_| quote! { #[doc = ""] });
        out.push(quote! { #doc #spacer #[doc = #note] pub #name: #ty, });
    }
    if let Some(text) = &def.text {
        let name = ident(&def.text_rust);
        let ty = type_tokens(text, scope);
        out.push(quote! { #[doc = " The element's text."] pub #name: #ty, });
    }
    if def.any_attribute {
        let name = ident(&def.any_attributes_rust);
        out.push(quote! { #[doc = " Attributes matched by `xsd:anyAttribute`."] pub #name: ::soap_runtime::AnyAttributes, });
    }
    out
}

fn struct_item(
    doc: &TokenStream,
    item: &TypeItem,
    def: &StructDef,
    scope: Scope,
    choices: &Choices<'_>,
) -> TokenStream {
    let name = ident(&item.name);
    let derive = derives(item.default);
    let fields = struct_fields(def, scope);
    let write_attributes = write_attributes(def);
    let write_content = write_content(def);
    let read = read_body(def, item.default, scope, choices);
    // Only the dispatch loop needs the element mutable; an empty type does not look at it.
    let element = if def.text.is_none() && !def.fields.is_empty() {
        quote! { mut element }
    } else if def.text.is_none() && def.attributes.is_empty() && !def.any_attribute {
        quote! { _element }
    } else {
        quote! { element }
    };
    let w = if def.fields.is_empty() && def.text.is_none() {
        quote! { _w }
    } else {
        quote! { w }
    };
    quote! {
        #doc
        #derive
        pub struct #name { #(#fields)* }

        impl ::soap_runtime::XmlValue for #name {
            #write_attributes
            fn write_content(&self, #w: &mut ::soap_runtime::XmlWriter) { #write_content }
            fn read(#element: ::soap_runtime::Element<'_, '_>) -> ::std::result::Result<Self, ::soap_runtime::ReadError> { #read }
        }
    }
}

fn write_attributes(def: &StructDef) -> TokenStream {
    let mut body = Vec::new();
    for f in &def.fields {
        if let FieldKind::ArrayItems {
            item_type: Some(item_type),
            ..
        } = &f.kind
        {
            let (name, item_type) = (ident(&f.rust), qname_value(item_type));
            body.push(quote! { w.array_type(#item_type, self.#name.len()); });
        }
    }
    for a in &def.attributes {
        let name = ident(&a.rust);
        let q = qname(&a.name);
        body.push(if a.required {
            quote! { w.attribute(#q, &self.#name); }
        } else {
            quote! { w.optional_attribute(#q, &self.#name); }
        });
    }
    if def.any_attribute {
        let name = ident(&def.any_attributes_rust);
        body.push(quote! { self.#name.write(w); });
    }
    if body.is_empty() {
        return TokenStream::new();
    }
    quote! { fn write_attributes(&self, w: &mut ::soap_runtime::XmlWriter) { #(#body)* } }
}

fn write_fields(fields: &[Field]) -> Vec<TokenStream> {
    fields
        .iter()
        .map(|f| {
            let name = ident(&f.rust);
            match &f.kind {
                FieldKind::ArrayItems { name: x, item_type: Some(item_type) } => {
                    let (q, item_type) = (qname(x), qname_value(item_type));
                    quote! { w.array_items(#q, #item_type, &self.#name); }
                }
                FieldKind::Element(x) if f.xsi_type.is_some() && !matches!(f.occurs, Occurs::Many | Occurs::ManyNillable) => {
                    let q = qname(x);
                    let xsi_type = f.xsi_type.as_ref().map(qname_value);
                    let value = match (f.occurs, f.boxed) {
                        (Occurs::Required, false) => quote! { Some(&self.#name) },
                        (Occurs::Required, true) => quote! { Some(&*self.#name) },
                        (_, false) => quote! { self.#name.as_ref() },
                        (_, true) => quote! { self.#name.as_deref() },
                    };
                    quote! { w.encoded(#q, #xsi_type, #value); }
                }
                FieldKind::Element(x) | FieldKind::ArrayItems { name: x, .. } => {
                    let q = qname(x);
                    match (f.occurs, f.boxed) {
                        (Occurs::Required, false) => quote! { w.element(#q, &self.#name); },
                        (Occurs::Required, true) => quote! { w.element(#q, &*self.#name); },
                        (Occurs::Optional { nil }, boxed) => {
                            let method = if nil { quote! { nillable } } else { quote! { optional } };
                            let value = if boxed { quote! { self.#name.as_deref() } } else { quote! { self.#name.as_ref() } };
                            quote! { w.#method(#q, #value); }
                        }
                        (Occurs::Many, _) => quote! { w.elements(#q, &self.#name); },
                        (Occurs::ManyNillable, _) => quote! { w.nillable_elements(#q, &self.#name); },
                    }
                }
                FieldKind::Choice(_) => match f.occurs {
                    Occurs::Required => quote! { ::soap_runtime::XmlChoice::write_choice(&self.#name, w); },
                    Occurs::Optional { .. } => quote! {
                        if let Some(choice) = &self.#name { ::soap_runtime::XmlChoice::write_choice(choice, w); }
                    },
                    Occurs::Many | Occurs::ManyNillable => quote! {
                        for choice in &self.#name { ::soap_runtime::XmlChoice::write_choice(choice, w); }
                    },
                },
                FieldKind::Any => quote! { w.any_elements(&self.#name); },
            }
        })
        .collect()
}

fn write_content(def: &StructDef) -> TokenStream {
    let mut body = write_fields(&def.fields);
    if def.text.is_some() {
        let name = ident(&def.text_rust);
        body.push(quote! { w.simple(&self.#name); });
    }
    quote! { #(#body)* }
}

/// The dispatch loop over an element's children, and the struct literal that follows.
fn read_body(def: &StructDef, default: bool, scope: Scope, choices: &Choices<'_>) -> TokenStream {
    // A type of optional and repeated elements only starts from its default and fills it in:
    // shorter code, and nothing can be missing.
    let simple = def.attributes.is_empty() && !def.any_attribute && def.text.is_none();
    let all_optional = def.fields.iter().all(|f| f.occurs != Occurs::Required);
    if default && simple && all_optional && !def.fields.is_empty() {
        let (_, arms, fallback, _) = dispatch(&def.fields, scope, choices, true);
        let dispatch = child_match(&arms, fallback);
        return quote! {
            let mut value = Self::default();
            while let Some(child) = element.next_child()? { #dispatch }
            Ok(value)
        };
    }
    let mut prelude = Vec::new();
    let mut inits = Vec::new();
    let mut known = Vec::new();
    for a in &def.attributes {
        let field = ident(&a.rust);
        let name = local(&a.rust);
        let xml_name = &a.name.local;
        known.push(xml_name.clone());
        prelude.push(if a.required {
            quote! { let #name = element.required_attribute(#xml_name)?; }
        } else {
            quote! { let #name = element.attribute_value(#xml_name)?; }
        });
        inits.push(init(&field, &name));
    }
    if def.any_attribute {
        let name = ident(&def.any_attributes_rust);
        prelude.push(quote! { let #name = element.other_attributes(&[#(#known),*])?; });
        inits.push(quote! { #name, });
    }
    let (locals, arms, fallback, field_inits) = dispatch(&def.fields, scope, choices, false);
    let dispatch = child_match(&arms, fallback);
    inits.extend(field_inits);
    let mut body = quote! { #(#prelude)* };
    if let Some(text) = &def.text {
        let _ = text;
        let name = ident(&def.text_rust);
        body.extend(quote! { let #name = element.parse()?; });
        inits.push(quote! { #name, });
    } else if !def.fields.is_empty() {
        body = quote! {
            #body
            #(#locals)*
            while let Some(child) = element.next_child()? { #dispatch }
        };
    }
    quote! { #body Ok(Self { #(#inits)* }) }
}

/// The local variable that holds a field while an element is read: the field's own name, so
/// the struct literal can use the shorthand, except where that would shadow the read code's
/// own `element` and `child`.
fn local(rust: &str) -> proc_macro2::Ident {
    match rust {
        "element" | "child" => quote::format_ident!("{rust}_value"),
        _ => ident(rust),
    }
}

/// `field: local,` in the struct literal, or the shorthand `field,` when they are the same.
fn init(field: &proc_macro2::Ident, local: &proc_macro2::Ident) -> TokenStream {
    if field == local {
        quote! { #field, }
    } else {
        quote! { #field: #local, }
    }
}

/// One way to handle a child element, by its local name.
struct Arm {
    local: String,
    guard: Option<TokenStream>,
    body: TokenStream,
}

/// Dispatch on `child`'s local name: a `match`, or an `if` when there is a single case and
/// nothing to do otherwise.
fn child_match(arms: &[Arm], fallback: Option<TokenStream>) -> TokenStream {
    match (arms, fallback) {
        ([], None) => TokenStream::new(),
        ([], Some(fallback)) => quote! { #fallback; },
        ([Arm { local, guard, body }], None) => {
            let guard = guard.as_ref().map(|g| quote! { && #g });
            quote! { if child.local_name() == #local #guard { #body; } }
        }
        (arms, fallback) => {
            let arms = arms.iter().map(|Arm { local, guard, body }| {
                let guard = guard.as_ref().map(|g| quote! { if #g });
                quote! { #local #guard => #body, }
            });
            let fallback = fallback.unwrap_or_else(|| quote! { {} });
            quote! { match child.local_name() { #(#arms)* _ => #fallback, } }
        }
    }
}

/// For each field: its local variable, its dispatch arms, and its initializer; plus what to do
/// with an element no field wants.
fn dispatch(
    fields: &[Field],
    scope: Scope,
    choices: &Choices<'_>,
    into_value: bool,
) -> (
    Vec<TokenStream>,
    Vec<Arm>,
    Option<TokenStream>,
    Vec<TokenStream>,
) {
    let mut locals = Vec::new();
    let mut arms = Vec::new();
    let mut inits = Vec::new();
    let mut fallback = None;
    for (i, f) in fields.iter().enumerate() {
        let field = ident(&f.rust);
        // Where a child is stored: a local per field, or the field of `value` itself.
        let name = if into_value {
            quote! { value.#field }
        } else {
            local(&f.rust).into_token_stream()
        };
        let many = matches!(f.occurs, Occurs::Many | Occurs::ManyNillable);
        locals.push(if many {
            quote! { let mut #name = ::std::vec::Vec::new(); }
        } else {
            quote! { let mut #name = None; }
        });
        inits.push(match (&f.kind, f.occurs) {
            (FieldKind::Element(x), Occurs::Required) => {
                let local = &x.local;
                quote! { #field: element.required(#name, #local)?, }
            }
            (FieldKind::Choice(names), Occurs::Required) => {
                let first = names.first().map(|n| n.local.as_str()).unwrap_or("choice");
                quote! { #field: element.required(#name, #first)?, }
            }
            _ => init(&field, &local(&f.rust)),
        });
        match &f.kind {
            FieldKind::Element(x) => {
                let local = &x.local;
                // A name that a later field also has goes to the first field that is still empty.
                let repeated = fields[i + 1..]
                    .iter()
                    .any(|g| matches!(&g.kind, FieldKind::Element(y) if y.local == x.local));
                let guard = (repeated && !many).then(|| quote! { #name.is_none() });
                let value = read_value(f, scope);
                let body = if many {
                    quote! { #name.push(#value) }
                } else {
                    quote! { #name = #value }
                };
                arms.push(Arm {
                    local: local.clone(),
                    guard,
                    body,
                });
            }
            FieldKind::Choice(_) => {
                let TypeExpr::Named(choice) = &f.ty else {
                    continue;
                };
                let variants = choices.get(choice.as_str()).copied().unwrap_or_default();
                arms.extend(choice_arms(f, choice, variants, &name, scope));
            }
            FieldKind::Any => fallback = Some(quote! { #name.push(child.capture()?) }),
            FieldKind::ArrayItems { .. } => fallback = Some(quote! { #name.push(child.read()?) }),
        }
    }
    (locals, arms, fallback, inits)
}

/// Reading one child for a field, as the value to store.
fn read_value(f: &Field, scope: Scope) -> TokenStream {
    let ty = type_tokens(&f.ty, scope);
    match (f.occurs, f.boxed) {
        (Occurs::Required, false) => quote! { Some(child.read()?) },
        (Occurs::Required, true) => quote! { Some(child.read_boxed()?) },
        (Occurs::Optional { .. }, false) => quote! { child.read_nillable()? },
        (Occurs::Optional { .. }, true) => {
            quote! { child.read_nillable::<#ty>()?.map(::std::boxed::Box::new) }
        }
        (Occurs::Many, _) => quote! { child.read()? },
        (Occurs::ManyNillable, _) => quote! { child.read_nillable()? },
    }
}

/// Match arms that read one alternative of a choice field.
fn choice_arms(
    f: &Field,
    choice: &str,
    variants: &[ChoiceVariant],
    name: &TokenStream,
    scope: Scope,
) -> Vec<Arm> {
    let choice_ty = type_tokens(&TypeExpr::Named(choice.to_owned()), scope);
    let many_field = matches!(f.occurs, Occurs::Many | Occurs::ManyNillable);
    variants
        .iter()
        .filter_map(|v| Some((v, v.name.as_ref()?)))
        .map(|(v, x)| {
            let variant = ident(&v.rust);
            let read = if v.boxed {
                quote! { child.read_boxed()? }
            } else {
                quote! { child.read()? }
            };
            let body = if many_field {
                quote! { #name.push(#choice_ty::#variant(#read)) }
            } else if v.many {
                quote! {
                    match &mut #name {
                        Some(#choice_ty::#variant(items)) => items.push(#read),
                        _ => #name = Some(#choice_ty::#variant(::std::vec![#read])),
                    }
                }
            } else {
                quote! { #name = Some(#choice_ty::#variant(#read)) }
            };
            Arm {
                local: x.local.clone(),
                guard: None,
                body,
            }
        })
        .collect()
}

/// The variants of each choice type of the module, by type name: a struct's read code needs
/// its choice field's variants.
pub type Choices<'m> = HashMap<&'m str, &'m [ChoiceVariant]>;

/// Collects a module's choice types.
pub fn choices(items: &[TypeItem]) -> Choices<'_> {
    items
        .iter()
        .filter_map(|item| match &item.kind {
            TypeKind::Choice(variants) => Some((item.name.as_str(), variants.as_slice())),
            _ => None,
        })
        .collect()
}

fn headers_item(
    doc: &TokenStream,
    item: &TypeItem,
    fields: &[Field],
    scope: Scope,
    choices: &Choices<'_>,
) -> TokenStream {
    let def = StructDef {
        fields: fields.to_vec(),
        ..StructDef::default()
    };
    let body = struct_item(doc, item, &def, scope, choices);
    let name = ident(&item.name);
    quote! {
        #body
        impl ::soap_runtime::Headers for #name {
            fn write_headers(&self, w: &mut ::soap_runtime::XmlWriter) { ::soap_runtime::XmlValue::write_content(self, w) }
            fn read_headers(header: ::soap_runtime::Element<'_, '_>) -> ::std::result::Result<Self, ::soap_runtime::ReadError> {
                ::soap_runtime::XmlValue::read(header)
            }
        }
    }
}

fn enum_item(doc: &TokenStream, name: &str, variants: &[EnumVariant]) -> TokenStream {
    let name = ident(name);
    let decls = variants.iter().map(|v| {
        let variant = ident(&v.rust);
        let doc = match &v.doc {
            Some(doc) => doc_attrs(&format!("`{}`: {doc}", v.value)),
            None => doc_attrs(&format!("`{}`", v.value)),
        };
        quote! { #doc #variant, }
    });
    let to_text = variants.iter().map(|v| {
        let variant = ident(&v.rust);
        let value = &v.value;
        quote! { Self::#variant => #value, }
    });
    let from_text = variants.iter().map(|v| {
        let variant = ident(&v.rust);
        let value = &v.value;
        quote! { #value => Self::#variant, }
    });
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum #name {
            #(#decls)*
            /// A value the schema does not list, kept as received.
            Unknown(::std::string::String),
        }

        impl #name {
            /// The value as written in XML.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#to_text)*
                    Self::Unknown(value) => value,
                }
            }
        }

        impl ::soap_runtime::SimpleValue for #name {
            fn write_text(&self, out: &mut ::soap_runtime::Text<'_>) { out.push(self.as_str()) }
            fn parse_text(text: &str) -> ::std::result::Result<Self, ::soap_runtime::ValueError> {
                Ok(match text.trim() {
                    #(#from_text)*
                    other => Self::Unknown(other.to_owned()),
                })
            }
        }
    }
}

fn choice_item(
    doc: &TokenStream,
    name: &str,
    variants: &[ChoiceVariant],
    scope: Scope,
) -> TokenStream {
    let name = ident(name);
    let decls = variants.iter().map(|v| {
        let variant = ident(&v.rust);
        let doc = opt_doc(v.doc.as_deref());
        let ty = match &v.name {
            None => quote! { ::soap_runtime::AnyElement },
            Some(_) => {
                let mut ty = type_tokens(&v.ty, scope);
                if v.boxed {
                    ty = quote! { ::std::boxed::Box<#ty> };
                }
                if v.many {
                    ty = quote! { ::std::vec::Vec<#ty> };
                }
                ty
            }
        };
        let note = match &v.name {
            Some(x) => format!(" Element `{}`.", x.local),
            None => " An element matched by `xsd:any`.".to_owned(),
        };
        quote! { #doc #[doc = #note] #variant(#ty), }
    });
    let writes = variants.iter().map(|v| {
        let variant = ident(&v.rust);
        match &v.name {
            None => quote! { Self::#variant(value) => value.write(w), },
            Some(x) => {
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
    });
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name { #(#decls)* }

        impl ::soap_runtime::XmlChoice for #name {
            fn write_choice(&self, w: &mut ::soap_runtime::XmlWriter) {
                match self { #(#writes)* }
            }
        }
    }
}

fn faults_item(
    doc: &TokenStream,
    name: &str,
    variants: &[FaultVariant],
    scope: Scope,
) -> TokenStream {
    let name = ident(name);
    let decls = variants.iter().map(|v| {
        let variant = ident(&v.rust);
        let ty = type_tokens(&v.ty, scope);
        let note = format!(" Fault `{}`: element `{}`.", v.name, v.element.local);
        quote! { #[doc = #note] #variant(#ty), }
    });
    let arms: Vec<Arm> = variants
        .iter()
        .map(|v| {
            let variant = ident(&v.rust);
            let body = quote! { return Ok(Some(Self::#variant(child.read()?))) };
            Arm {
                local: v.element.local.clone(),
                guard: None,
                body,
            }
        })
        .collect();
    let dispatch = child_match(&arms, None);
    let writes = variants.iter().map(|v| {
        let variant = ident(&v.rust);
        let q = qname(&v.element);
        quote! { Self::#variant(value) => w.element(#q, value), }
    });
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name { #(#decls)* }

        impl ::soap_runtime::FaultDetail for #name {
            fn read_detail(mut detail: ::soap_runtime::Element<'_, '_>) -> ::std::result::Result<::std::option::Option<Self>, ::soap_runtime::ReadError> {
                while let Some(child) = detail.next_child()? { #dispatch }
                Ok(None)
            }
            fn write_detail(&self, w: &mut ::soap_runtime::XmlWriter) {
                match self { #(#writes)* }
            }
        }
    }
}

fn newtype_item(
    doc: &TokenStream,
    name: &str,
    inner: &TypeExpr,
    facets: &[FacetCheck],
    notes: &[String],
    scope: Scope,
) -> TokenStream {
    let type_name = name;
    let name = ident(name);
    let inner_ty = type_tokens(inner, scope);
    let checks = facets.iter().map(|facet| {
        let (condition, facet_name, limit, shown) = match facet {
            FacetCheck::Length(n) => (quote! { length != #n }, "length", n.to_string(), quote! { length }),
            FacetCheck::MinLength(n) => (quote! { length < #n }, "minLength", n.to_string(), quote! { length }),
            FacetCheck::MaxLength(n) => (quote! { length > #n }, "maxLength", n.to_string(), quote! { length }),
            FacetCheck::Bound { facet, literal } => {
                let bound: TokenStream = literal.parse().unwrap_or_default();
                let condition = match *facet {
                    "minInclusive" => quote! { value < #bound },
                    "maxInclusive" => quote! { value > #bound },
                    "minExclusive" => quote! { value <= #bound },
                    _ => quote! { value >= #bound },
                };
                (condition, *facet, literal.clone(), quote! { value })
            }
        };
        quote! {
            if #condition {
                return Err(::soap_runtime::FacetError {
                    type_name: #type_name, facet: #facet_name, limit: #limit, value: #shown.to_string(),
                });
            }
        }
    });
    let needs_length = facets
        .iter()
        .any(|f| !matches!(f, FacetCheck::Bound { .. }));
    let length = needs_length
        .then(|| quote! { let length = ::soap_runtime::FacetLength::facet_length(&value) as u64; });
    // A blank line ends the list, so the notes are not read as part of its last item.
    let notes_gap = (!notes.is_empty()).then(|| quote! { #[doc = ""] });
    let notes = notes.iter().map(|n| format!(" Also {n} (not checked)."));
    let facet_docs = facets.iter().map(|f| match f {
        FacetCheck::Length(n) => format!(" - length {n}"),
        FacetCheck::MinLength(n) => format!(" - minLength {n}"),
        FacetCheck::MaxLength(n) => format!(" - maxLength {n}"),
        FacetCheck::Bound { facet, literal } => format!(" - {facet} {literal}"),
    });
    quote! {
        #doc
        #[doc = ""]
        #[doc = " Checked by [`Self::new`]:"]
        #(#[doc = #facet_docs])*
        #notes_gap
        #(#[doc = #notes])*
        #[doc = ""]
        #[doc = " Values read from XML are not checked: a server's reply is taken as sent."]
        #[derive(Debug, Clone, PartialEq)]
        pub struct #name(#inner_ty);

        impl #name {
            /// Checks the facets and wraps the value.
            pub fn new(value: impl ::std::convert::Into<#inner_ty>) -> ::std::result::Result<Self, ::soap_runtime::FacetError> {
                let value = value.into();
                #length
                #(#checks)*
                Ok(Self(value))
            }

            /// The value.
            pub fn get(&self) -> &#inner_ty { &self.0 }

            /// The value, unwrapped.
            pub fn into_inner(self) -> #inner_ty { self.0 }
        }

        impl ::soap_runtime::SimpleValue for #name {
            fn write_text(&self, out: &mut ::soap_runtime::Text<'_>) { ::soap_runtime::SimpleValue::write_text(&self.0, out) }
            fn parse_text(text: &str) -> ::std::result::Result<Self, ::soap_runtime::ValueError> {
                ::soap_runtime::SimpleValue::parse_text(text).map(Self)
            }
        }
    }
}
