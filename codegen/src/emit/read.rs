//! The read code shared by every type whose content is a list of fields: a loop over the
//! element's children that dispatches on each child's local name.

use proc_macro2::{Ident, TokenStream};
use quote::{quote, ToTokens};

use super::{ident, type_tokens, Scope};
use crate::ir::{Field, FieldKind, Occurs};

/// How one child is recognised.
pub enum Test {
    /// By its local name.
    Name(String),
    /// By a group type's `accepts` (a choice, a sequence occurrence, a substitution group).
    Group(TokenStream),
    /// Whatever its name (a wildcard).
    Any,
}

/// One way to handle a child element: an expression, or statements (`block`).
pub struct Arm {
    pub test: Test,
    pub guard: Option<TokenStream>,
    pub body: TokenStream,
    pub block: bool,
}

/// Dispatch on `child`'s local name: a `match`, or an `if` when there is a single case and
/// nothing to do otherwise. Names are tried first, then groups, then wildcards.
pub fn child_match(arms: &[Arm], fallback: Option<TokenStream>) -> TokenStream {
    match (arms, fallback) {
        ([], None) => TokenStream::new(),
        ([], Some(fallback)) => quote! { #fallback; },
        ([arm], None) if !matches!(arm.test, Test::Any) => {
            let guard = arm.guard.as_ref().map(|g| quote! { && #g });
            let test = match &arm.test {
                Test::Name(local) => quote! { child.local_name() == #local },
                Test::Group(ty) => {
                    quote! { <#ty as ::soap_runtime::XmlGroup>::accepts(child.local_name()) }
                }
                Test::Any => unreachable!("matched out above"),
            };
            let body = &arm.body;
            let body = if arm.block {
                body.clone()
            } else {
                quote! { #body; }
            };
            quote! { if #test #guard { #body } }
        }
        (arms, fallback) => {
            let rank = |arm: &&Arm| match arm.test {
                Test::Name(_) => 0,
                Test::Group(_) => 1,
                Test::Any => 2,
            };
            let mut ordered: Vec<&Arm> = arms.iter().collect();
            ordered.sort_by_key(rank);
            let arms = ordered.iter().map(|arm| {
                let body = &arm.body;
                let body = if arm.block {
                    quote! { { #body } }
                } else {
                    quote! { #body, }
                };
                match &arm.test {
                    Test::Name(local) => {
                        let guard = arm.guard.as_ref().map(|g| quote! { if #g });
                        quote! { #local #guard => #body }
                    }
                    Test::Group(ty) => {
                        let guard = arm.guard.as_ref().map(|g| quote! { && #g });
                        quote! { name if <#ty as ::soap_runtime::XmlGroup>::accepts(name) #guard => #body }
                    }
                    Test::Any => {
                        let guard = arm.guard.as_ref().map(|g| quote! { if #g });
                        quote! { _ #guard => #body }
                    }
                }
            });
            let fallback = fallback.unwrap_or_else(|| quote! { {} });
            quote! { match child.local_name() { #(#arms)* _ => #fallback, } }
        }
    }
}

/// Where the fields are read into, and from which element.
#[derive(Clone, Copy)]
pub struct Target {
    /// Into the fields of `value` itself (a type that starts from its default), rather than
    /// into one local per field.
    pub into_value: bool,
    /// Reading one occurrence of a sequence from its parent's children, in order: each field
    /// has a position, and a child that comes back to an earlier one ends the occurrence.
    pub in_order: bool,
    /// The names the read code uses for its own variables, which a field's local must not
    /// shadow.
    pub taken: &'static [&'static str],
}

/// The read code's own variables: of a type's `read`, of one that also reads the dimensions
/// of a two-dimensional array, of a sequence's `read_group`.
pub const READ: &[&str] = &["element", "child"];
pub const READ_ROWS: &[&str] = &["element", "child", "dimensions"];
pub const READ_IN_ORDER: &[&str] = &["parent", "child", "at"];

impl Target {
    /// The element whose children are read: `element`, or a sequence's `parent`.
    pub fn element(self) -> Ident {
        if self.in_order {
            quote::format_ident!("parent")
        } else {
            quote::format_ident!("element")
        }
    }
}

/// The read code of a list of fields: the locals, the dispatch arms, what to do with a child
/// no field wants, and the initialisers of the struct literal.
pub struct Dispatch {
    pub locals: Vec<TokenStream>,
    pub arms: Vec<Arm>,
    pub fallback: Option<TokenStream>,
    pub inits: Vec<TokenStream>,
}

pub fn dispatch(fields: &[Field], scope: Scope, target: Target) -> Dispatch {
    let element = target.element();
    let mut out = Dispatch {
        locals: Vec::new(),
        arms: Vec::new(),
        fallback: None,
        inits: Vec::new(),
    };
    for (i, f) in fields.iter().enumerate() {
        let field = ident(&f.rust);
        // Where a child is stored: a local per field, or the field of `value` itself.
        let name = if target.into_value {
            quote! { value.#field }
        } else {
            local(&f.rust, target.taken).into_token_stream()
        };
        let many = matches!(f.occurs, Occurs::Many | Occurs::ManyNillable);
        out.locals.push(match f.occurs {
            _ if many => quote! { let mut #name = ::std::vec::Vec::new(); },
            Occurs::OptionalNillable => {
                quote! { let mut #name = ::soap_runtime::Nillable::Absent; }
            }
            _ => quote! { let mut #name = None; },
        });
        out.inits.push(match (&f.kind, f.occurs) {
            (FieldKind::Element(x), Occurs::Required) => {
                let local = &x.local;
                quote! { #field: #element.required(#name, #local)?, }
            }
            (FieldKind::Group { first }, Occurs::Required) => {
                quote! { #field: #element.required(#name, #first)?, }
            }
            (FieldKind::ArrayItems { rows: true, .. }, _) => {
                quote! { #field: ::soap_runtime::array_rows(#name, &dimensions), }
            }
            _ => init(&field, &local(&f.rust, target.taken)),
        });
        // In order: the child moves the position on to this field's, which only a later
        // field (or this one, when it repeats) may follow.
        let position = proc_macro2::Literal::usize_unsuffixed(i + 1);
        let (in_order_guard, advance) = if target.in_order {
            let guard = if many {
                quote! { at <= #position }
            } else {
                quote! { at < #position }
            };
            (Some(guard), quote! { at = #position; })
        } else {
            (None, TokenStream::new())
        };
        let store = |value: TokenStream| {
            if many {
                quote! { #name.push(#value) }
            } else {
                quote! { #name = #value }
            }
        };
        match &f.kind {
            FieldKind::Element(x) => {
                // A name that a later field also has goes to the first field that is still empty.
                let repeated = fields[i + 1..]
                    .iter()
                    .any(|g| matches!(&g.kind, FieldKind::Element(y) if y.local == x.local));
                let empty = match f.occurs {
                    Occurs::OptionalNillable => quote! { #name.is_absent() },
                    _ => quote! { #name.is_none() },
                };
                let guard = (repeated && !many && !target.in_order).then_some(empty);
                let body = store(read_value(f, scope));
                let (body, block) = if target.in_order {
                    (quote! { #advance #body; }, true)
                } else {
                    (body, false)
                };
                out.arms.push(Arm {
                    test: Test::Name(x.local.clone()),
                    guard: guard.or(in_order_guard),
                    body,
                    block,
                });
            }
            FieldKind::Group { .. } => {
                // A group that a later field also is takes one occurrence, then leaves the
                // rest to that field.
                let repeated = fields[i + 1..]
                    .iter()
                    .any(|g| matches!(g.kind, FieldKind::Group { .. }) && g.ty == f.ty);
                let guard =
                    (repeated && !many && !target.in_order).then(|| quote! { #name.is_none() });
                let group = type_tokens(&f.ty, scope);
                let ty = if f.boxed {
                    quote! { ::std::boxed::Box<#group> }
                } else {
                    group.clone()
                };
                // `parent` is a `&mut Element` already; `element` is the element itself.
                let from = if target.in_order {
                    quote! { parent }
                } else {
                    quote! { &mut element }
                };
                let read = quote! { <#ty as ::soap_runtime::XmlGroup>::read_group(#from)? };
                let body = if many {
                    store(read)
                } else {
                    store(quote! { Some(#read) })
                };
                out.arms.push(Arm {
                    test: Test::Group(group),
                    guard: guard.or(in_order_guard),
                    body: quote! { #advance child.put_back(); #body; },
                    block: true,
                });
            }
            FieldKind::Any => {
                let body = quote! { #name.push(child.capture()?) };
                if target.in_order {
                    out.arms.push(Arm {
                        test: Test::Any,
                        guard: in_order_guard,
                        body: quote! { #advance #body; },
                        block: true,
                    });
                } else {
                    out.fallback = Some(body);
                }
            }
            FieldKind::ArrayItems { .. } => {
                out.fallback = Some(quote! { #name.push(child.read()?) });
            }
            // A mixed type reads its content in one go (see `types::read_body`).
            FieldKind::Mixed => {}
        }
    }
    out
}

/// Reading one child for a field, as the value to store (or push).
pub fn read_value(f: &Field, scope: Scope) -> TokenStream {
    let ty = type_tokens(&f.ty, scope);
    match (f.occurs, f.boxed) {
        (Occurs::Required, false) => quote! { Some(child.read()?) },
        (Occurs::Required, true) => quote! { Some(child.read_boxed()?) },
        // The field's type says what nil becomes: `None`, or `Nillable::Nil`.
        (Occurs::Optional { .. } | Occurs::OptionalNillable, false) => {
            quote! { child.read_nillable()? }
        }
        (Occurs::Optional { .. }, true) => quote! {
            child.read_nillable::<#ty, ::std::option::Option<#ty>>()?.map(::std::boxed::Box::new)
        },
        (Occurs::OptionalNillable, true) => quote! {
            child.read_nillable::<#ty, ::soap_runtime::Nillable<#ty>>()?.map(::std::boxed::Box::new)
        },
        (Occurs::Many, _) => quote! { child.read()? },
        (Occurs::ManyNillable, _) => quote! { child.read_nillable()? },
    }
}

/// The local variable that holds a field while an element is read: the field's own name, so
/// the struct literal can use the shorthand, except where that would shadow one of the read
/// code's own variables (`taken`).
pub fn local(rust: &str, taken: &[&str]) -> Ident {
    if taken.contains(&rust) {
        quote::format_ident!("{rust}_value")
    } else {
        ident(rust)
    }
}

/// `field: local,` in the struct literal, or the shorthand `field,` when they are the same.
pub fn init(field: &Ident, local: &Ident) -> TokenStream {
    if field == local {
        quote! { #field, }
    } else {
        quote! { #field: #local, }
    }
}
