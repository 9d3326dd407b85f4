//! Mixed content (`mixed="true"`): text may stand between the child elements, and is data.
//! The type's content becomes one list of pieces, text and elements in document order, so
//! nothing is lost and everything is written back where it was.

use super::naming::{type_name, Scope};
use super::Lowerer;
use crate::ir::{
    Builtin, ChoiceVariant, Field, FieldKind, Occurs, TypeExpr, TypeItem, TypeKind, VariantKind,
    XmlName,
};
use crate::read::is_xsd_ns;
use crate::read::xsd::{ComplexType, Content, Derivation, Particle, Term};
use crate::Error;

/// The elements a mixed type may hold, each name once, and whether a wildcard lets in others.
#[derive(Default)]
struct Pieces {
    elements: Vec<(XmlName, TypeExpr, Option<String>)>,
    any: bool,
}

impl Lowerer<'_> {
    /// Whether a complex type's content is mixed, as it says or as its base says (an
    /// extension of mixed content is mixed).
    pub(super) fn is_mixed(&self, complex: &ComplexType) -> bool {
        let mut complex = complex;
        let mut seen = Vec::new();
        loop {
            if complex.mixed {
                return true;
            }
            let Content::Complex {
                derivation: Derivation::Extension,
                base,
                ..
            } = &complex.content
            else {
                return false;
            };
            match self.index.types.get(base).map(|(d, _)| &d.kind) {
                Some(crate::read::xsd::TypeKind::Complex(next)) if !seen.contains(&base) => {
                    seen.push(base);
                    complex = next;
                }
                _ => return false,
            }
        }
    }

    /// The field holding a mixed type's content, and the enum of its pieces (one per type);
    /// `None` when the type may hold no element at all, so its content is just text.
    pub(super) fn mixed_field(
        &mut self,
        complex: &ComplexType,
        owner: &str,
    ) -> Result<Option<Field>, Error> {
        let ty = match self.mixed.get(owner) {
            Some(done) => done.clone(),
            None => {
                let mut pieces = Pieces::default();
                self.mixed_pieces(complex, owner, &mut pieces)?;
                if pieces.elements.is_empty() && !pieces.any {
                    return Ok(None);
                }
                let name = self.scope.claim(&format!("{owner}Content"));
                let mut variants = Scope::new();
                let mut list = vec![ChoiceVariant {
                    rust: variants.claim("Text"),
                    doc: Some("Text between the elements.".to_owned()),
                    kind: VariantKind::Text,
                    ty: TypeExpr::Builtin(Builtin::String),
                    many: false,
                    boxed: false,
                }];
                for (xml, ty, doc) in pieces.elements {
                    list.push(ChoiceVariant {
                        rust: variants.claim(&type_name(&xml.local, "Element")),
                        doc,
                        kind: VariantKind::Element(xml),
                        ty,
                        many: false,
                        boxed: false,
                    });
                }
                if pieces.any {
                    list.push(ChoiceVariant::any(variants.claim("Any")));
                }
                self.push(TypeItem {
                    name: name.clone(),
                    doc: None,
                    origin: format!("the mixed content of `{owner}`"),
                    kind: TypeKind::Mixed(list),
                    default: false,
                });
                let ty = TypeExpr::Named(name);
                self.mixed.insert(owner.to_owned(), ty.clone());
                ty
            }
        };
        Ok(Some(Field {
            rust: "content".into(),
            doc: None,
            kind: FieldKind::Mixed,
            ty,
            occurs: Occurs::Many,
            boxed: false,
            xsi_type: None,
        }))
    }

    /// The elements of a complex type's content model, its base's first for an extension.
    fn mixed_pieces(
        &mut self,
        complex: &ComplexType,
        owner: &str,
        out: &mut Pieces,
    ) -> Result<(), Error> {
        match &complex.content {
            Content::Particle(Some(particle)) => self.particle_pieces(particle, owner, out),
            Content::Complex {
                derivation,
                base,
                at,
                particle,
            } => {
                let base_complex = match self.index.types.get(base).map(|(d, _)| &d.kind) {
                    Some(crate::read::xsd::TypeKind::Complex(c)) => Some(c),
                    _ => None,
                };
                if *derivation == Derivation::Extension && !is_xsd_ns(&base.ns) {
                    if let Some(base_complex) = base_complex {
                        if self.base_stack.contains(base) {
                            return Err(Error::new(
                                at.clone(),
                                format!("type `{base}` derives from itself"),
                            ));
                        }
                        self.base_stack.push(base.clone());
                        let result = self.mixed_pieces(base_complex, owner, out);
                        self.base_stack.pop();
                        result?;
                    }
                }
                match particle {
                    Some(particle) => self.particle_pieces(particle, owner, out),
                    None => Ok(()),
                }
            }
            Content::Particle(None) | Content::Simple { .. } => Ok(()),
        }
    }

    fn particle_pieces(
        &mut self,
        particle: &Particle,
        owner: &str,
        out: &mut Pieces,
    ) -> Result<(), Error> {
        if particle.max == Some(0) {
            return Ok(());
        }
        match &particle.term {
            Term::Element(element) => {
                let family = match &element.reference {
                    Some(head) => self.substitution_family(head),
                    None => Vec::new(),
                };
                if family.is_empty() {
                    let (xml, ty, _, doc) = self.element_use(element, owner)?;
                    if !out.elements.iter().any(|(x, _, _)| *x == xml) {
                        out.elements.push((xml, ty, doc));
                    }
                }
                for member in family {
                    let xml = XmlName::from_qname(&member);
                    if out.elements.iter().any(|(x, _, _)| *x == xml) {
                        continue;
                    }
                    let (decl, _) = self.global_element(&member, &element.at)?;
                    let ty = self.element_type(&member, &element.at)?;
                    out.elements.push((xml, ty, decl.doc.clone()));
                }
                Ok(())
            }
            Term::Sequence(children) | Term::Choice(children) | Term::All(children) => {
                for child in children {
                    self.particle_pieces(child, owner, out)?;
                }
                Ok(())
            }
            Term::Group(name) => self.expand_group(name, &particle.at, |this, group| {
                this.particle_pieces(group, owner, out)
            }),
            Term::Any => {
                out.any = true;
                Ok(())
            }
        }
    }
}
