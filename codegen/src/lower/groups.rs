//! Groups of elements that read themselves from their parent's children: the alternatives of
//! an `xsd:choice`, an occurrence of a sequence that repeats as a whole, and the members of a
//! substitution group. Each becomes a type of its own (an enum or a struct) used as one field,
//! so that repetitions keep their order and interleaving on the way through.

use super::naming::{field_name, type_name, Scope};
use super::{Context, Lowerer};
use crate::ir::{
    ChoiceVariant, Field, FieldKind, Occurs, TypeExpr, TypeItem, TypeKind, VariantKind, XmlName,
};
use crate::read::xsd::{ElementDecl, Particle, Term};
use crate::read::QName;
use crate::Error;

/// A group type, and the local name of an element it may begin with (for the error when a
/// required one is missing).
#[derive(Debug, Clone)]
pub(super) struct GroupType {
    pub ty: TypeExpr,
    pub first: String,
}

impl GroupType {
    /// The field holding the group, occurring as `context` says.
    fn field(self, rust: &str, doc: Option<String>, context: Context) -> Field {
        let occurs = if context.many {
            Occurs::Many
        } else if context.optional {
            Occurs::Optional { nil: false }
        } else {
            Occurs::Required
        };
        Field {
            rust: rust.to_owned(),
            doc,
            kind: FieldKind::Group { first: self.first },
            ty: self.ty,
            occurs,
            boxed: false,
            xsi_type: None,
        }
    }
}

impl Lowerer<'_> {
    /// Whether a particle holds at least two elements (or wildcards), counting through named
    /// groups: then a repetition of it is more than a list of one element.
    pub(super) fn holds_several_elements(&self, particle: &Particle) -> bool {
        fn count(this: &Lowerer<'_>, particle: &Particle, seen: &mut Vec<QName>) -> usize {
            if particle.max == Some(0) {
                return 0;
            }
            match &particle.term {
                Term::Element(_) | Term::Any => 1,
                Term::Sequence(children) | Term::Choice(children) | Term::All(children) => {
                    let mut total = 0;
                    for child in children {
                        total += count(this, child, seen);
                        if total >= 2 {
                            break;
                        }
                    }
                    total
                }
                Term::Group(name) if !seen.contains(name) => {
                    let Some((group, _)) = this.index.groups.get(name) else {
                        return 0;
                    };
                    seen.push(name.clone());
                    let n = count(this, &group.particle, seen);
                    seen.pop();
                    n
                }
                Term::Group(_) => 0,
            }
        }
        count(self, particle, &mut Vec::new()) >= 2
    }

    /// A choice as one field of an enum of its alternatives (`Vec` when it repeats).
    pub(super) fn choice_field(
        &mut self,
        choice: &Particle,
        children: &[Particle],
        context: Context,
        owner: &str,
        out: &mut Vec<Field>,
    ) -> Result<(), Error> {
        let Some(group) = self.choice_type(choice, children, context.many, owner)? else {
            return Ok(()); // no alternative can occur
        };
        out.push(group.field("choice", None, context));
        Ok(())
    }

    /// A sequence that repeats as a whole, as one `Vec` field of a struct per repetition.
    pub(super) fn sequence_field(
        &mut self,
        sequence: &Particle,
        context: Context,
        owner: &str,
        out: &mut Vec<Field>,
    ) -> Result<(), Error> {
        let origin = format!("one occurrence of a repeated sequence in `{owner}`");
        let group = self.sequence_type(sequence, &format!("{owner}Sequence"), &origin)?;
        out.push(group.field("sequence", None, context));
        Ok(())
    }

    /// A reference to the head of a substitution group, as one field of the group's enum.
    /// `None` when the element heads no group.
    pub(super) fn member_field(
        &mut self,
        element: &ElementDecl,
        context: Context,
        out: &mut Vec<Field>,
    ) -> Result<bool, Error> {
        let Some(head) = &element.reference else {
            return Ok(false);
        };
        let Some(group) = self.member_group(head)? else {
            return Ok(false);
        };
        let doc = element.doc.clone().or_else(|| {
            self.index
                .elements
                .get(head)
                .and_then(|(global, _)| global.doc.clone())
        });
        out.push(group.field(&field_name(&head.local), doc, context));
        Ok(true)
    }

    /// The enum of a substitution group: the head (unless abstract) and every element that
    /// may stand in for it, directly or through another member, in document order. `None`
    /// when nothing names `head` as its group.
    pub(super) fn member_group(&mut self, head: &QName) -> Result<Option<GroupType>, Error> {
        if let Some(done) = self.member_groups.get(head) {
            return Ok(Some(done.clone()));
        }
        let family = self.substitution_family(head);
        if family.is_empty() {
            return Ok(None);
        }
        let name = self
            .scope
            .claim(&format!("{}Group", type_name(&head.local, "Element")));
        let mut variants = Scope::new();
        let mut list = Vec::new();
        for member in &family {
            let Some((decl, _)) = self.index.elements.get(member).copied() else {
                continue;
            };
            let ty = self.element_type(member, &decl.at)?;
            list.push(ChoiceVariant {
                rust: variants.claim(&type_name(&member.local, "Element")),
                doc: decl.doc.clone(),
                kind: VariantKind::Element(XmlName::from_qname(member)),
                ty,
                many: false,
                boxed: false,
            });
        }
        let first = list
            .iter()
            .find_map(|v| match &v.kind {
                VariantKind::Element(x) => Some(x.local.clone()),
                _ => None,
            })
            .unwrap_or_else(|| head.local.clone());
        let group = GroupType {
            ty: TypeExpr::Named(name.clone()),
            first,
        };
        self.member_groups.insert(head.clone(), group.clone());
        self.push(TypeItem {
            name,
            doc: Some(format!(
                "The elements that may stand where `{}` may: its substitution group.",
                head.local
            )),
            origin: format!(
                "substitution group of element `{}`{}",
                head.local,
                super::in_namespace(&head.ns)
            ),
            kind: TypeKind::Choice(list),
            default: false,
        });
        Ok(Some(group))
    }

    /// The elements that may stand where `head` may: itself unless abstract, and every
    /// element that names it (or another member) as its substitution group, in document
    /// order, abstract ones left out. Empty when nothing names `head`.
    pub(super) fn substitution_family(&self, head: &QName) -> Vec<QName> {
        if !self.members.contains_key(head) {
            return Vec::new();
        }
        let mut family = Vec::new();
        let mut stack = vec![head.clone()];
        while let Some(next) = stack.pop() {
            if family.contains(&next) {
                continue;
            }
            if let Some(members) = self.members.get(&next) {
                stack.extend(members.iter().rev().cloned());
            }
            family.push(next);
        }
        family.retain(|name| {
            self.index
                .elements
                .get(name)
                .is_some_and(|(decl, _)| !decl.is_abstract)
        });
        family
    }

    /// The enum of a choice's alternatives, lowered once per place it is written (a base's
    /// content is lowered again for each derived type). `repeated`: the choice is made again
    /// for each occurrence, so an alternative does not hold repetitions of its own.
    fn choice_type(
        &mut self,
        choice: &Particle,
        children: &[Particle],
        repeated: bool,
        owner: &str,
    ) -> Result<Option<GroupType>, Error> {
        if let Some(done) = self.groups.get(&choice.at) {
            return Ok(Some(done.clone()));
        }
        let name = self.scope.claim(&format!("{owner}Choice"));
        let mut variants = Scope::new();
        let mut list = Vec::new();
        let mut firsts = Vec::new();
        self.alternatives(
            children,
            repeated,
            &name,
            &mut variants,
            &mut list,
            &mut firsts,
        )?;
        let Some(first) = firsts.into_iter().next() else {
            self.scope.release(&name);
            return Ok(None);
        };
        let group = GroupType {
            ty: TypeExpr::Named(name.clone()),
            first,
        };
        self.groups.insert(choice.at.clone(), group.clone());
        self.push(TypeItem {
            name,
            doc: None,
            origin: format!("a choice in `{owner}`"),
            kind: TypeKind::Choice(list),
            default: false,
        });
        Ok(Some(group))
    }

    /// The variants for a choice's alternatives, and for each the local name of an element it
    /// begins with (empty for a wildcard); a choice inside it that is made once is one more set
    /// of alternatives.
    fn alternatives(
        &mut self,
        children: &[Particle],
        repeated: bool,
        choice: &str,
        variants: &mut Scope,
        list: &mut Vec<ChoiceVariant>,
        firsts: &mut Vec<String>,
    ) -> Result<(), Error> {
        for child in children.iter().filter(|c| c.max != Some(0)) {
            // In a repeated choice each occurrence is its own alternative; only a choice
            // made once holds an alternative's repetitions together.
            let many = child.repeats() && !repeated;
            match &child.term {
                Term::Element(element) => {
                    if let Some(group) = element
                        .reference
                        .as_ref()
                        .map(|head| self.member_group(head))
                        .transpose()?
                        .flatten()
                    {
                        let local = &element.name;
                        firsts.push(group.first);
                        list.push(ChoiceVariant {
                            rust: variants.claim(&type_name(local, "Variant")),
                            doc: element.doc.clone(),
                            kind: VariantKind::Group,
                            ty: group.ty,
                            many,
                            boxed: false,
                        });
                        continue;
                    }
                    let (xml, ty, _, doc) = self.element_use(element, choice)?;
                    firsts.push(xml.local.clone());
                    list.push(ChoiceVariant {
                        rust: variants.claim(&type_name(&xml.local, "Variant")),
                        doc,
                        kind: VariantKind::Element(xml),
                        ty,
                        many,
                        boxed: false,
                    });
                }
                Term::Any => {
                    firsts.push(String::new());
                    list.push(ChoiceVariant::any(variants.claim("Any")));
                }
                Term::Choice(grandchildren) if !child.repeats() => {
                    self.alternatives(grandchildren, repeated, choice, variants, list, firsts)?;
                }
                _ => {
                    let hint = self.alternative_name(child);
                    let rust = variants.claim(&type_name(&hint, "Sequence"));
                    let origin = format!("an alternative of `{choice}`");
                    let group = self.sequence_type(child, &format!("{choice}{rust}"), &origin)?;
                    firsts.push(group.first);
                    list.push(ChoiceVariant {
                        rust,
                        doc: None,
                        kind: VariantKind::Group,
                        ty: group.ty,
                        many,
                        boxed: false,
                    });
                }
            }
        }
        Ok(())
    }

    /// What to call an alternative that is a group of elements: the named group it refers to,
    /// or its first element.
    fn alternative_name(&self, particle: &Particle) -> String {
        fn first_element(particle: &Particle) -> Option<String> {
            match &particle.term {
                Term::Element(e) => Some(e.name.clone()),
                Term::Sequence(c) | Term::Choice(c) | Term::All(c) => {
                    c.iter().find_map(first_element)
                }
                Term::Group(name) => Some(name.local.clone()),
                Term::Any => None,
            }
        }
        match &particle.term {
            Term::Group(name) => name.local.clone(),
            _ => first_element(particle).unwrap_or_else(|| "Sequence".to_owned()),
        }
    }

    /// The struct of one occurrence of a sequence (or of a named group, or a repeated choice
    /// standing as an alternative): its fields, read in order. Lowered once per place.
    fn sequence_type(
        &mut self,
        particle: &Particle,
        wanted: &str,
        origin: &str,
    ) -> Result<GroupType, Error> {
        if let Some(done) = self.groups.get(&particle.at) {
            return Ok(done.clone());
        }
        let name = self.scope.claim(wanted);
        // The content of one occurrence: the particle's own repetition is its field's.
        let once = Particle {
            min: 1,
            max: Some(1),
            term: particle.term.clone(),
            at: particle.at.clone(),
        };
        let mut fields = Vec::new();
        let mut has_any = false;
        match &once.term {
            Term::Sequence(children) | Term::All(children) => {
                for child in children {
                    self.particle_fields(
                        child,
                        Context::default(),
                        &name,
                        &mut fields,
                        &mut has_any,
                    )?;
                }
            }
            _ => {
                self.particle_fields(&once, Context::default(), &name, &mut fields, &mut has_any)?
            }
        }
        let mut scope = Scope::new();
        super::claim_field_names(&mut scope, &mut fields);
        let first = fields
            .iter()
            .find_map(|f| match &f.kind {
                FieldKind::Element(x) => Some(x.local.clone()),
                FieldKind::Group { first } => Some(first.clone()),
                _ => None,
            })
            .unwrap_or_default();
        let group = GroupType {
            ty: TypeExpr::Named(name.clone()),
            first,
        };
        self.groups.insert(particle.at.clone(), group.clone());
        self.push(TypeItem {
            name,
            doc: None,
            origin: origin.to_owned(),
            kind: TypeKind::Sequence(fields),
            default: true,
        });
        Ok(group)
    }
}
