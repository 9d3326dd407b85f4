//! Whole-module passes after lowering: boxing the fields that close a cycle of types, and
//! deciding which types can derive `Default`.

use std::collections::HashMap;

use crate::ir::{Field, Module, Occurs, StructDef, TypeExpr, TypeItem, TypeKind};

/// The types a value of `item` holds inline (not behind a `Vec`), each with the index of the
/// field or choice variant that holds it. Simple types (aliases, newtypes, text) never refer
/// to complex types, so they are never part of a cycle; nor are the enums of derived types,
/// whose variants are boxed, nor mixed content, which is a `Vec`.
fn inline_edges<'a>(item: &'a TypeItem) -> Vec<(&'a str, usize)> {
    fn named(ty: &TypeExpr) -> Option<&str> {
        match ty {
            TypeExpr::Named(name) => Some(name.as_str()),
            _ => None,
        }
    }
    let fields = |fields: &'a [crate::ir::Field]| {
        fields
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                matches!(
                    f.occurs,
                    Occurs::Required | Occurs::Optional { .. } | Occurs::OptionalNillable
                ) && !matches!(f.kind, crate::ir::FieldKind::ArrayItems { rows: true, .. })
            })
            .filter_map(|(slot, f)| Some((named(&f.ty)?, slot)))
            .collect()
    };
    match &item.kind {
        TypeKind::Struct(def) => fields(&def.fields),
        TypeKind::Sequence(list) => fields(list),
        TypeKind::Choice(variants) => variants
            .iter()
            .enumerate()
            .filter(|(_, v)| !v.many)
            .filter_map(|(slot, v)| Some((named(&v.ty)?, slot)))
            .collect(),
        _ => Vec::new(),
    }
}

/// Boxes the fields that close a cycle of types, and only those: a depth-first search in
/// type order boxes each edge back to a type still being explored. Without those edges the
/// graph has no cycle, so every type has a finite size; a cycle of two types gets one box.
pub fn box_cycles(module: &mut Module) {
    let index_of: HashMap<&str, usize> = module
        .types
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.as_str(), i))
        .collect();
    let edges: Vec<Vec<(usize, usize)>> = module
        .types
        .iter()
        .map(|t| {
            inline_edges(t)
                .into_iter()
                .filter_map(|(name, slot)| Some((*index_of.get(name)?, slot)))
                .collect()
        })
        .collect();
    #[derive(Clone, Copy, PartialEq)]
    enum Visit {
        New,
        Open,
        Done,
    }
    let mut state = vec![Visit::New; edges.len()];
    let mut boxed = std::collections::HashSet::new();
    // Iterative, so a long chain of types cannot overflow the generator's stack.
    for root in 0..edges.len() {
        if state[root] != Visit::New {
            continue;
        }
        state[root] = Visit::Open;
        let mut stack = vec![(root, 0usize)];
        while let Some((node, next)) = stack.last_mut() {
            let node = *node;
            match edges[node].get(*next) {
                Some(&(target, slot)) => {
                    *next += 1;
                    match state[target] {
                        Visit::Open => {
                            boxed.insert((node, slot));
                        }
                        Visit::New => {
                            state[target] = Visit::Open;
                            stack.push((target, 0));
                        }
                        Visit::Done => {}
                    }
                }
                None => {
                    state[node] = Visit::Done;
                    stack.pop();
                }
            }
        }
    }
    for (i, item) in module.types.iter_mut().enumerate() {
        match &mut item.kind {
            TypeKind::Struct(StructDef { fields, .. }) | TypeKind::Sequence(fields) => {
                for (slot, field) in fields.iter_mut().enumerate() {
                    field.boxed = boxed.contains(&(i, slot));
                }
            }
            TypeKind::Choice(variants) => {
                for (slot, variant) in variants.iter_mut().enumerate() {
                    variant.boxed = boxed.contains(&(i, slot));
                }
            }
            _ => {}
        }
    }
}

/// Marks the types that can derive `Default`: structs whose required parts all have one
/// (found as a greatest fixed point, so mutually recursive types are handled).
pub fn derive_defaults(module: &mut Module) {
    let mut default: HashMap<String, bool> = module
        .types
        .iter()
        .map(|t| (t.name.clone(), true))
        .collect();
    loop {
        let mut changed = false;
        for item in &module.types {
            let has = item_default(item, &default);
            if default[&item.name] && !has {
                default.insert(item.name.clone(), false);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    for item in &mut module.types {
        item.default = default[&item.name];
    }
    for binding in &mut module.bindings {
        for item in &mut binding.types {
            item.default = item_default(item, &default);
        }
    }
}

fn expr_default(ty: &TypeExpr, default: &HashMap<String, bool>) -> bool {
    match ty {
        TypeExpr::Builtin(b) => b.has_default(),
        TypeExpr::Named(name) | TypeExpr::Local(name) => {
            default.get(name).copied().unwrap_or(false)
        }
        TypeExpr::List(_) => true,
    }
}

fn fields_default(fields: &[Field], default: &HashMap<String, bool>) -> bool {
    fields
        .iter()
        .all(|f| f.occurs != Occurs::Required || expr_default(&f.ty, default))
}

fn item_default(item: &TypeItem, default: &HashMap<String, bool>) -> bool {
    match &item.kind {
        TypeKind::Struct(def) => {
            fields_default(&def.fields, default)
                && def
                    .attributes
                    .iter()
                    .all(|a| !a.required || expr_default(&a.ty, default))
                && def.text.as_ref().is_none_or(|t| expr_default(t, default))
        }
        TypeKind::Sequence(fields) => fields_default(fields, default),
        // The base's own default, when it has instances of its own.
        TypeKind::Derived(set) => set
            .variants
            .iter()
            .find(|v| v.xsi_type.is_none())
            .is_some_and(|base| default.get(&base.ty).copied().unwrap_or(false)),
        TypeKind::Alias(inner) => expr_default(inner, default),
        TypeKind::Headers(_) => true,
        TypeKind::Enum(_)
        | TypeKind::Choice(_)
        | TypeKind::Mixed(_)
        | TypeKind::Newtype { .. }
        | TypeKind::Faults(_) => false,
    }
}
