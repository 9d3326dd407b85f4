//! Whole-module passes after lowering: boxing the fields that close a cycle of types, and
//! deciding which types can derive `Default`.

use std::collections::HashMap;

use crate::ir::{Module, Occurs, TypeExpr, TypeItem, TypeKind};

/// The types a value of `item` holds inline (not behind a `Vec`), by name.
fn inline_edges(item: &TypeItem) -> Vec<&str> {
    fn named(ty: &TypeExpr) -> Option<&str> {
        match ty {
            TypeExpr::Named(name) => Some(name.as_str()),
            _ => None,
        }
    }
    match &item.kind {
        TypeKind::Struct(def) => def
            .fields
            .iter()
            .filter(|f| matches!(f.occurs, Occurs::Required | Occurs::Optional { .. }))
            .filter_map(|f| named(&f.ty))
            .chain(def.text.iter().filter_map(named))
            .collect(),
        TypeKind::Choice(variants) => variants
            .iter()
            .filter(|v| !v.many)
            .filter_map(|v| named(&v.ty))
            .collect(),
        TypeKind::Newtype { inner, .. } | TypeKind::Alias(inner) => {
            named(inner).into_iter().collect()
        }
        TypeKind::Enum(_) | TypeKind::Headers(_) | TypeKind::Faults(_) => Vec::new(),
    }
}

/// Strongly connected components (Tarjan), as a component number per type.
fn components(types: &[TypeItem]) -> Vec<usize> {
    let index_of: HashMap<&str, usize> = types
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.as_str(), i))
        .collect();
    let edges: Vec<Vec<usize>> = types
        .iter()
        .map(|t| {
            inline_edges(t)
                .into_iter()
                .filter_map(|n| index_of.get(n).copied())
                .collect()
        })
        .collect();
    let n = types.len();
    let (mut index, mut low, mut on_stack) = (vec![usize::MAX; n], vec![0; n], vec![false; n]);
    let (mut stack, mut component, mut next_index, mut next_component) =
        (Vec::new(), vec![usize::MAX; n], 0, 0);
    // Iterative depth-first search, so deep type chains cannot overflow the stack.
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work = vec![(root, 0usize)];
        while let Some(&mut (v, ref mut edge)) = work.last_mut() {
            if *edge == 0 && index[v] == usize::MAX {
                index[v] = next_index;
                low[v] = next_index;
                next_index += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = edges[v].get(*edge) {
                *edge += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component[w] = next_component;
                    if w == v {
                        break;
                    }
                }
                next_component += 1;
            }
        }
    }
    component
}

/// Boxes every inline field whose type is in the same cycle as the type holding it.
pub fn box_cycles(module: &mut Module) {
    let component = components(&module.types);
    let of: HashMap<String, usize> = module
        .types
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.clone(), component[i]))
        .collect();
    for (i, item) in module.types.iter_mut().enumerate() {
        let cyclic = |ty: &TypeExpr| matches!(ty, TypeExpr::Named(name) if of.get(name) == Some(&component[i]));
        match &mut item.kind {
            TypeKind::Struct(def) => {
                for field in &mut def.fields {
                    field.boxed =
                        matches!(field.occurs, Occurs::Required | Occurs::Optional { .. })
                            && cyclic(&field.ty);
                }
            }
            TypeKind::Choice(variants) => {
                for variant in variants {
                    variant.boxed = !variant.many && cyclic(&variant.ty);
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

fn item_default(item: &TypeItem, default: &HashMap<String, bool>) -> bool {
    match &item.kind {
        TypeKind::Struct(def) => {
            def.fields
                .iter()
                .all(|f| f.occurs != Occurs::Required || expr_default(&f.ty, default))
                && def
                    .attributes
                    .iter()
                    .all(|a| !a.required || expr_default(&a.ty, default))
                && def.text.as_ref().is_none_or(|t| expr_default(t, default))
        }
        TypeKind::Alias(inner) => expr_default(inner, default),
        TypeKind::Headers(_) => true,
        TypeKind::Enum(_)
        | TypeKind::Choice(_)
        | TypeKind::Newtype { .. }
        | TypeKind::Faults(_) => false,
    }
}
