//! SOAP-encoded arrays (restrictions of `SOAP-ENC:Array`): the items, with the shape the
//! schema gives them. An array of arrays (`xsd:string[][]`) holds a struct per inner array;
//! a two-dimensional array (`xsd:string[,]`) holds rows.

use super::Lowerer;
use crate::ir::{
    Builtin, Field, FieldKind, Occurs, StructDef, TypeExpr, TypeItem, TypeKind, XmlName,
};
use crate::read::xsd::{AttributeUse, ComplexType, Particle, Term, TypeRef};
use crate::read::QName;
use crate::{Error, Location};

/// How SOAP encoding writes ranks: `[]` for one dimension, `[,]` for two.
fn ranks_text(ranks: &[usize]) -> String {
    ranks
        .iter()
        .map(|rank| format!("[{}]", ",".repeat(rank.saturating_sub(1))))
        .collect()
}

impl Lowerer<'_> {
    /// The field holding a SOAP-encoded array's items: their type from `wsdl:arrayType`, or
    /// from the element inside the restriction.
    pub(super) fn array_field(
        &mut self,
        complex: &ComplexType,
        particle: Option<&Particle>,
        owner: &str,
    ) -> Result<Field, Error> {
        for u in &complex.attributes {
            if let AttributeUse::Attribute(a) = u {
                if let Some(array) = &a.array_type {
                    return self.array_of(&array.item, &array.ranks, owner, &a.at);
                }
            }
        }
        let (ty, item_type) = match particle {
            Some(Particle {
                term: Term::Sequence(children),
                ..
            }) => match children.as_slice() {
                [Particle {
                    term: Term::Element(element),
                    ..
                }] => match &element.type_ref {
                    Some(TypeRef::Named(name, at)) => {
                        (self.type_expr(name, at)?, Some(XmlName::from_qname(name)))
                    }
                    Some(inline) => (self.type_ref_expr(inline, owner, "Item")?, None),
                    None => (TypeExpr::Builtin(Builtin::AnyContent), None),
                },
                _ => (TypeExpr::Builtin(Builtin::AnyContent), None),
            },
            _ => (TypeExpr::Builtin(Builtin::AnyContent), None),
        };
        Ok(items_field(ty, item_type, String::new(), false))
    }

    /// The items of an array of `item`s with these ranks (the last is the array's own).
    fn array_of(
        &mut self,
        item: &QName,
        ranks: &[usize],
        owner: &str,
        at: &Location,
    ) -> Result<Field, Error> {
        let (own, inner) = ranks.split_last().unwrap_or((&1, &[]));
        if *own > 2 {
            return Err(Error::new(
                at.clone(),
                format!(
                    "SOAP-encoded arrays of {own} dimensions are not supported (one or two are)"
                ),
            ));
        }
        let item_type = Some(XmlName::from_qname(item));
        if inner.is_empty() {
            let ty = self.type_expr(item, at)?;
            return Ok(items_field(ty, item_type, String::new(), *own == 2));
        }
        // Each item is an array itself: a struct of its own, one per level.
        let key = (at.clone(), inner.len());
        let ty = match self.arrays.get(&key) {
            Some(done) => done.clone(),
            None => {
                let name = self.scope.claim(&format!("{owner}Item"));
                let field = self.array_of(item, inner, &name, at)?;
                self.push(TypeItem {
                    name: name.clone(),
                    doc: None,
                    origin: format!("an item of the SOAP-encoded array `{owner}`"),
                    kind: TypeKind::Struct(StructDef {
                        fields: vec![field],
                        ..StructDef::default()
                    }),
                    default: true,
                });
                let ty = TypeExpr::Named(name);
                self.arrays.insert(key, ty.clone());
                ty
            }
        };
        Ok(items_field(ty, item_type, ranks_text(inner), *own == 2))
    }
}

fn items_field(ty: TypeExpr, item_type: Option<XmlName>, item_ranks: String, rows: bool) -> Field {
    Field {
        rust: "items".into(),
        doc: None,
        kind: FieldKind::ArrayItems {
            name: XmlName {
                ns: None,
                local: "item".into(),
            },
            item_type,
            item_ranks,
            rows,
        },
        ty,
        occurs: Occurs::Many,
        boxed: false,
        xsi_type: None,
    }
}
