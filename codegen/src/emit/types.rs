//! Types: structs, enums, newtypes, aliases, headers and fault sets, each with its runtime
//! trait impl. Groups of elements (choices, sequences, substitution groups), mixed content and
//! the enums of derived types are in `groups`.

use proc_macro2::TokenStream;
use quote::quote;

use super::groups::{choice_item, derived_item, mixed_item, sequence_item};
use super::read::{child_match, dispatch, local, Arm, Target, Test, READ, READ_ROWS};
use super::{doc_attrs, ident, opt_doc, qname, qname_value, type_tokens, Scope};
use crate::ir::{
    EnumVariant, FacetCheck, FaultVariant, Field, FieldKind, Occurs, StructDef, TypeExpr, TypeItem,
    TypeKind,
};

pub fn type_item(item: &TypeItem, scope: Scope) -> TokenStream {
    let doc = match &item.doc {
        Some(doc) => format!("{doc}\n\nXML: {}.", item.origin),
        None => format!("XML: {}.", item.origin),
    };
    let doc = doc_attrs(&doc);
    let name = ident(&item.name);
    match &item.kind {
        TypeKind::Struct(def) => struct_item(&doc, item, def, scope),
        TypeKind::Headers(fields) => headers_item(&doc, item, fields, scope),
        TypeKind::Enum(variants) => enum_item(&doc, &item.name, variants),
        TypeKind::Choice(variants) => choice_item(&doc, &item.name, variants, scope),
        TypeKind::Sequence(fields) => sequence_item(&doc, item, fields, scope),
        TypeKind::Derived(set) => derived_item(&doc, item, set, scope),
        TypeKind::Mixed(variants) => mixed_item(&doc, &item.name, variants, scope),
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

pub fn derives(default: bool) -> TokenStream {
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
    if matches!(field.kind, FieldKind::ArrayItems { rows: true, .. }) {
        ty = quote! { ::std::vec::Vec<#ty> };
    }
    match field.occurs {
        Occurs::Required => ty,
        Occurs::Optional { .. } => quote! { ::std::option::Option<#ty> },
        Occurs::OptionalNillable => quote! { ::soap_runtime::Nillable<#ty> },
        Occurs::Many => quote! { ::std::vec::Vec<#ty> },
        Occurs::ManyNillable => quote! { ::std::vec::Vec<::std::option::Option<#ty>> },
    }
}

/// The declarations of a list of fields, with their docs.
pub fn field_decls(fields: &[Field], scope: Scope) -> Vec<TokenStream> {
    fields
        .iter()
        .map(|f| {
            let doc = opt_doc(f.doc.as_deref());
            let name = ident(&f.rust);
            let ty = field_type(f, scope);
            let note = match &f.kind {
                FieldKind::Element(x) => format!(" Element `{}`.", x.local),
                FieldKind::Group { .. } => {
                    " A group of elements, read and written in order.".to_owned()
                }
                FieldKind::Any => " Elements matched by `xsd:any`, as written.".to_owned(),
                FieldKind::ArrayItems { rows: true, .. } => {
                    " The array's items, row by row.".to_owned()
                }
                FieldKind::ArrayItems { .. } => " The array's items.".to_owned(),
                FieldKind::Mixed => " The content: runs of text and elements, in order.".to_owned(),
            };
            let spacer = f.doc.as_ref().map(|_| quote! { #[doc = ""] });
            quote! { #doc #spacer #[doc = #note] pub #name: #ty, }
        })
        .collect()
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
    out.extend(field_decls(&def.fields, scope));
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

fn struct_item(doc: &TokenStream, item: &TypeItem, def: &StructDef, scope: Scope) -> TokenStream {
    let name = ident(&item.name);
    let derive = derives(item.default);
    let fields = struct_fields(def, scope);
    let write_attributes = write_attributes(def);
    let write_content = write_content(def);
    let read = read_body(def, item.default, scope);
    let mixed = def.fields.iter().any(|f| f.kind == FieldKind::Mixed);
    // Only the dispatch loop needs the element mutable; an empty type does not look at it.
    let element = if def.text.is_none() && !def.fields.is_empty() {
        quote! { mut element }
    } else if def.text.is_none() && def.attributes.is_empty() && !def.any_attribute && !mixed {
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

const SOAP_ARRAY: &str = "http://schemas.xmlsoap.org/soap/encoding/";

fn write_attributes(def: &StructDef) -> TokenStream {
    let mut body = Vec::new();
    for f in &def.fields {
        if let FieldKind::ArrayItems {
            item_type: Some(item_type),
            item_ranks,
            rows,
            ..
        } = &f.kind
        {
            let (name, item_type) = (ident(&f.rust), qname_value(item_type));
            body.push(match (item_ranks.is_empty(), rows) {
                (true, false) => quote! { w.array_type(#item_type, self.#name.len()); },
                (_, false) => quote! { w.array_type_of(#item_type, #item_ranks, &[self.#name.len()]); },
                (_, true) => quote! {
                    w.array_type_of(#item_type, #item_ranks, &[self.#name.len(), self.#name.first().map_or(0, ::std::vec::Vec::len)]);
                },
            });
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
    if def.text.is_some() {
        // Text that names things by prefix (an xsd:QName) declares them while it can.
        let name = ident(&def.text_rust);
        body.push(quote! { ::soap_runtime::SimpleValue::declare_namespaces(&self.#name, w); });
    }
    if body.is_empty() {
        return TokenStream::new();
    }
    quote! { fn write_attributes(&self, w: &mut ::soap_runtime::XmlWriter) { #(#body)* } }
}

pub fn write_fields(fields: &[Field]) -> Vec<TokenStream> {
    fields
        .iter()
        .map(|f| {
            let name = ident(&f.rust);
            match &f.kind {
                FieldKind::ArrayItems {
                    name: x,
                    item_type: Some(item_type),
                    item_ranks,
                    rows,
                } => {
                    let q = qname(x);
                    // The items of an array of arrays are arrays.
                    let item_type = if item_ranks.is_empty() {
                        qname_value(item_type)
                    } else {
                        quote! { ::soap_runtime::QName::qualified(#SOAP_ARRAY, "Array") }
                    };
                    if *rows {
                        quote! { w.array_rows(#q, #item_type, &self.#name); }
                    } else {
                        quote! { w.array_items(#q, #item_type, &self.#name); }
                    }
                }
                FieldKind::Element(x)
                    if f.xsi_type.is_some()
                        && !matches!(f.occurs, Occurs::Many | Occurs::ManyNillable) =>
                {
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
                    let value = if f.boxed {
                        quote! { self.#name.as_deref() }
                    } else {
                        quote! { self.#name.as_ref() }
                    };
                    match (f.occurs, f.boxed) {
                        (Occurs::Required, false) => quote! { w.element(#q, &self.#name); },
                        (Occurs::Required, true) => quote! { w.element(#q, &*self.#name); },
                        (Occurs::Optional { nil }, _) => {
                            let method = if nil {
                                quote! { nillable }
                            } else {
                                quote! { optional }
                            };
                            quote! { w.#method(#q, #value); }
                        }
                        (Occurs::OptionalNillable, _) => quote! { w.nillable_value(#q, #value); },
                        (Occurs::Many, _) => quote! { w.elements(#q, &self.#name); },
                        (Occurs::ManyNillable, _) => {
                            quote! { w.nillable_elements(#q, &self.#name); }
                        }
                    }
                }
                FieldKind::Group { .. } => match f.occurs {
                    Occurs::Required => quote! { w.group(&self.#name); },
                    Occurs::Many | Occurs::ManyNillable => quote! { w.groups(&self.#name); },
                    _ => quote! { w.optional_group(self.#name.as_ref()); },
                },
                FieldKind::Any => quote! { w.any_elements(&self.#name); },
                FieldKind::Mixed => quote! { w.mixed(&self.#name); },
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
fn read_body(def: &StructDef, default: bool, scope: Scope) -> TokenStream {
    // A type of optional and repeated elements only starts from its default and fills it in:
    // shorter code, and nothing can be missing.
    let simple = def.attributes.is_empty() && !def.any_attribute && def.text.is_none();
    let all_optional = def.fields.iter().all(|f| f.occurs != Occurs::Required);
    let rows = def
        .fields
        .iter()
        .any(|f| matches!(f.kind, FieldKind::ArrayItems { rows: true, .. }));
    let mixed = def.fields.iter().find(|f| f.kind == FieldKind::Mixed);
    let taken = if rows { READ_ROWS } else { READ };
    let target = |into_value| Target {
        into_value,
        in_order: false,
        taken,
    };
    if default && simple && all_optional && !def.fields.is_empty() && !rows && mixed.is_none() {
        let read = dispatch(&def.fields, scope, target(true));
        let dispatch = child_match(&read.arms, read.fallback);
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
        let name = local(&a.rust, taken);
        let xml_name = &a.name.local;
        known.push(xml_name.clone());
        prelude.push(if a.required {
            quote! { let #name = element.required_attribute(#xml_name)?; }
        } else {
            quote! { let #name = element.attribute_value(#xml_name)?; }
        });
        inits.push(super::read::init(&field, &name));
    }
    if def.any_attribute {
        let name = ident(&def.any_attributes_rust);
        prelude.push(quote! { let #name = element.other_attributes(&[#(#known),*])?; });
        inits.push(quote! { #name, });
    }
    if rows {
        // A two-dimensional array says in its start tag how long its rows are.
        prelude.push(quote! { let dimensions = element.array_dimensions()?; });
    }
    let mut body = quote! { #(#prelude)* };
    if let Some(mixed) = mixed {
        let name = ident(&mixed.rust);
        body.extend(quote! { let #name = element.read_mixed()?; });
        inits.push(quote! { #name, });
    } else if let Some(text) = &def.text {
        let _ = text;
        let name = ident(&def.text_rust);
        body.extend(quote! { let #name = element.parse()?; });
        inits.push(quote! { #name, });
    } else if !def.fields.is_empty() {
        let read = dispatch(&def.fields, scope, target(false));
        let dispatch = child_match(&read.arms, read.fallback);
        inits.extend(read.inits);
        let locals = read.locals;
        body = quote! {
            #body
            #(#locals)*
            while let Some(child) = element.next_child()? { #dispatch }
        };
    }
    quote! { #body Ok(Self { #(#inits)* }) }
}

fn headers_item(doc: &TokenStream, item: &TypeItem, fields: &[Field], scope: Scope) -> TokenStream {
    let def = StructDef {
        fields: fields.to_vec(),
        ..StructDef::default()
    };
    let body = struct_item(doc, item, &def, scope);
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
                test: Test::Name(v.element.local.clone()),
                guard: None,
                body,
                block: false,
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
            FacetCheck::Length(n) => (
                quote! { length != #n },
                "length",
                n.to_string(),
                quote! { length },
            ),
            FacetCheck::MinLength(n) => (
                quote! { length < #n },
                "minLength",
                n.to_string(),
                quote! { length },
            ),
            FacetCheck::MaxLength(n) => (
                quote! { length > #n },
                "maxLength",
                n.to_string(),
                quote! { length },
            ),
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
                return Err(::soap_runtime::FacetError::new(
                    #type_name, #facet_name, #limit, #shown.to_string(),
                ));
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
