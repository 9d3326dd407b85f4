//! `xsi:type` polymorphism: a complex type that other types derive from (by extension or
//! restriction, in any namespace) is, wherever it is used, an enum of itself and every type
//! derived from it, told apart by `xsi:type` when read and written with it.
//!
//! There is one enum per base type, shared by every use: Salesforce's `sObject` has some 300
//! derived types and is used in hundreds of fields. Its variants are boxed: a value holds only
//! the type it is, not room for the largest, and no cycle of types can run through the enum.

use std::collections::{HashMap, HashSet};

use super::{budget, Index, Lowerer};
use crate::ir::{DerivedSet, DerivedVariant, TypeItem, TypeKind, XmlName};
use crate::read::xsd::{Content, TypeDef};
use crate::read::{is_xsd_ns, Documents, QName, SOAP_ENC_NS};
use crate::Error;

/// The complex type a named complex type derives from, when it is one of the module's own.
fn base_of<'d>(def: &'d TypeDef, index: &Index<'_>) -> Option<&'d QName> {
    let crate::read::xsd::TypeKind::Complex(complex) = &def.kind else {
        return None;
    };
    let base = match &complex.content {
        Content::Complex { base, .. } | Content::Simple { base, .. } => base,
        Content::Particle(_) => return None,
    };
    if is_xsd_ns(&base.ns) || base.ns == SOAP_ENC_NS {
        return None;
    }
    let (base_def, _) = index.types.get(base)?;
    matches!(base_def.kind, crate::read::xsd::TypeKind::Complex(_)).then_some(base)
}

/// Each base type and the named types derived from it directly, in document order.
pub(super) fn derivations(documents: &Documents, index: &Index<'_>) -> HashMap<QName, Vec<QName>> {
    let mut out: HashMap<QName, Vec<QName>> = HashMap::new();
    for schema in &documents.schemas {
        for def in &schema.types {
            let Some(local) = &def.name else { continue };
            let name = QName::new(&schema.target_namespace, local);
            // A repeated definition is reported elsewhere; only the one in use counts.
            let indexed = index
                .types
                .get(&name)
                .is_some_and(|(d, _)| std::ptr::eq(*d, def));
            if let Some(base) = base_of(def, index).filter(|_| indexed) {
                out.entry(base.clone()).or_default().push(name);
            }
        }
    }
    out
}

/// Refuses a type with more than [`budget::MAX_DERIVATION_DEPTH`] base types above it, before
/// any enum of derived types is built: each such enum holds every type below its base, so a
/// chain of n derivations would cost n² (twenty thousand took minutes). Linear: each type is
/// visited once, from the types that derive from nothing of the module's.
pub(super) fn check_depth(
    derivations: &HashMap<QName, Vec<QName>>,
    index: &Index<'_>,
) -> Result<(), Error> {
    let derived: HashSet<&QName> = derivations.values().flatten().collect();
    let mut stack: Vec<(&QName, usize)> = derivations
        .keys()
        .filter(|base| !derived.contains(base))
        .map(|root| (root, 0))
        .collect();
    while let Some((name, above)) = stack.pop() {
        if above > budget::MAX_DERIVATION_DEPTH {
            if let Some((def, _)) = index.types.get(name) {
                budget::check_derivation(above, &def.at)?;
            }
        }
        for child in derivations.get(name).into_iter().flatten() {
            stack.push((child, above + 1));
        }
    }
    Ok(())
}

impl Lowerer<'_> {
    /// Names the enum of every base type, in document order, after every schema name is
    /// taken (so those keep their own names).
    pub(super) fn name_derived_sets(&mut self, documents: &Documents) {
        for schema in &documents.schemas {
            for def in &schema.types {
                let Some(local) = &def.name else { continue };
                let name = QName::new(&schema.target_namespace, local);
                if !self.derivations.contains_key(&name) || self.derived_named.contains_key(&name) {
                    continue;
                }
                let Some(base) = self.named.get(&name) else {
                    continue;
                };
                let rust = self.scope.claim(&format!("Any{base}"));
                self.derived_named.insert(name, rust);
            }
        }
    }

    /// The type named `name` and those derived from it, directly or not, in document order
    /// (depth first), each once.
    fn family(&self, name: &QName) -> Vec<QName> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut stack = vec![name.clone()];
        while let Some(next) = stack.pop() {
            if !seen.insert(next.clone()) {
                continue;
            }
            if let Some(derived) = self.derivations.get(&next) {
                stack.extend(derived.iter().rev().cloned());
            }
            out.push(next);
        }
        out
    }

    /// The enum items of every base type, in the order their names were given.
    pub(super) fn derived_items(&self, documents: &Documents) -> Vec<TypeItem> {
        let mut items = Vec::new();
        for schema in &documents.schemas {
            for def in &schema.types {
                let Some(local) = &def.name else { continue };
                let base = QName::new(&schema.target_namespace, local);
                let Some(rust) = self.derived_named.get(&base) else {
                    continue;
                };
                if items.iter().any(|i: &TypeItem| i.name == *rust) {
                    continue;
                }
                let variants = self
                    .family(&base)
                    .into_iter()
                    .filter(|name| {
                        self.index
                            .types
                            .get(name)
                            .is_some_and(|(def, _)| !def.is_abstract)
                    })
                    .map(|name| {
                        let ty = self.named[&name].clone();
                        DerivedVariant {
                            rust: ty.clone(),
                            ty,
                            xsi_type: (name != base).then(|| XmlName::from_qname(&name)),
                        }
                    })
                    .collect();
                items.push(TypeItem {
                    name: rust.clone(),
                    doc: Some(format!(
                        "A `{local}`, or a value of a type derived from it: the element's \
                         `xsi:type` says which."
                    )),
                    origin: format!(
                        "complexType `{local}`{} and the types derived from it",
                        super::in_namespace(&schema.target_namespace)
                    ),
                    kind: TypeKind::Derived(DerivedSet {
                        base_xml: local.clone(),
                        variants,
                    }),
                    default: false,
                });
            }
        }
        items
    }
}
