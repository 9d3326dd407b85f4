//! Stage 2: lower the document model to the IR.
//!
//! Names are resolved (a reference to nothing, or a name defined twice, is an error), content
//! models are flattened into fields (choices, repeated sequences and substitution groups
//! become group types of their own, `groups`; mixed content a list of pieces, `mixed`; a type
//! others derive from an enum of them, `derived`), anonymous types get names from where they
//! are used, Rust names are made unique, and fields that close a cycle of types are boxed.

mod arrays;
mod budget;
mod builtin;
mod cycles;
mod derived;
mod groups;
mod mixed;
pub mod naming;
mod operations;

use std::collections::HashMap;

use crate::ir::{
    AttributeField, Builtin, EnumVariant, FacetCheck, Field, FieldKind, Module, Occurs, StructDef,
    TypeExpr, TypeItem, TypeKind, XmlName,
};
use crate::read::xsd::{
    AttributeDecl, AttributeGroup, AttributeUse, ComplexType, Content, Derivation, ElementDecl,
    Group, Particle, Schema, SimpleType, Term, TypeDef, TypeRef,
};
use crate::read::{is_xsd_ns, Documents, QName, SOAP_ENC_NS};
use crate::{Error, Location};
use naming::{field_name, type_name, Scope};

/// Lowers everything read from one WSDL (or XSD) into one module.
///
/// When `lenient`, a reference to something that is not defined does not stop the work: an
/// operation or header that needs it is left out, a type or element stands in as untyped XML
/// content, and each such error is returned beside the module (and named in its doc).
pub fn lower(documents: &Documents, lenient: bool) -> Result<(Module, Vec<Error>), Error> {
    let mut lowerer = Lowerer::new(documents);
    lowerer.lenient = lenient;
    for duplicate in std::mem::take(&mut lowerer.duplicates) {
        lowerer.skip_or_fail(duplicate)?;
    }
    derived::check_depth(&lowerer.derivations, &lowerer.index)?;
    lowerer.assign_names(documents);
    lowerer.name_derived_sets(documents);
    for schema in &documents.schemas {
        let ns = schema.target_namespace.as_str();
        for def in &schema.types {
            let Some(name) = lowerer.named_type(ns, def) else {
                continue;
            };
            let item = lowerer.type_item(def, Some(ns), &name)?;
            lowerer.push(item);
        }
        for element in &schema.elements {
            let Some(name) = lowerer.element_type_name(ns, element) else {
                continue;
            };
            let Some(TypeRef::Inline(def)) = &element.type_ref else {
                continue;
            };
            let mut item = lowerer.type_item(def, Some(ns), &name)?;
            item.origin = format!("element `{}`{}", element.name, in_namespace(ns));
            item.doc = item.doc.or_else(|| element.doc.clone());
            lowerer.push(item);
        }
    }
    for item in lowerer.derived_items(documents) {
        lowerer.push(item);
    }
    let mut module = Module {
        doc: Vec::new(),
        types: Vec::new(),
        bindings: operations::lower_bindings(&mut lowerer, documents)?,
    };
    module.doc = operations::module_doc(documents);
    module.types = std::mem::take(&mut lowerer.items);
    cycles::box_cycles(&mut module);
    cycles::derive_defaults(&mut module);
    let skipped = lowerer.skipped.into_inner();
    for error in &skipped {
        // The file name alone: the path as typed would make the output depend on where the
        // generator ran.
        let location = &error.location;
        let file = location.file.file_name().map_or_else(
            || location.file.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        module.doc.push(format!(
            "Left out (lenient mode): {file}:{}:{}: {}",
            location.line, location.column, error.message
        ));
    }
    Ok((module, skipped))
}

fn in_namespace(ns: &str) -> String {
    if ns.is_empty() {
        String::new()
    } else {
        format!(" in `{ns}`")
    }
}

/// The global declarations of all schemas, by name.
struct Index<'d> {
    types: HashMap<QName, (&'d TypeDef, &'d Schema)>,
    elements: HashMap<QName, (&'d ElementDecl, &'d Schema)>,
    attributes: HashMap<QName, &'d AttributeDecl>,
    groups: HashMap<QName, (&'d Group, &'d Schema)>,
    attribute_groups: HashMap<QName, &'d AttributeGroup>,
}

pub(crate) struct Lowerer<'d> {
    index: Index<'d>,
    /// Top-level Rust type names.
    pub(crate) scope: Scope,
    /// Named XSD types → their Rust names.
    named: HashMap<QName, String>,
    /// Global elements with anonymous types → the Rust names of those types.
    element_named: HashMap<QName, String>,
    items: Vec<TypeItem>,
    /// Where each item is in `items`, by name: aliases are looked up for every facet.
    item_index: HashMap<String, usize>,
    /// Anonymous types and choices already lowered, by where they are written: a base type's
    /// content is lowered again for each type derived from it, and must name the same items.
    anonymous: HashMap<Location, TypeExpr>,
    /// Named model groups and attribute groups being expanded, and base types being
    /// inherited from, to stop one that contains itself.
    group_stack: Vec<QName>,
    base_stack: Vec<QName>,
    /// Complex types → the named types derived from them directly, in document order.
    derivations: HashMap<QName, Vec<QName>>,
    /// Base types → the Rust names of their enums of derived types (see `derived`).
    derived_named: HashMap<QName, String>,
    /// Substitution group heads → the elements that name them, in document order.
    members: HashMap<QName, Vec<QName>>,
    /// Substitution groups, choices and sequence occurrences already lowered (by head, and
    /// by where they are written).
    member_groups: HashMap<QName, groups::GroupType>,
    groups: HashMap<Location, groups::GroupType>,
    /// The enum of each mixed type's pieces, by the type's Rust name.
    mixed: HashMap<String, TypeExpr>,
    /// The item structs of arrays of arrays, by where the array type is given and depth.
    arrays: HashMap<(Location, usize), TypeExpr>,
    /// Global definitions made twice: errors, reported before anything is lowered.
    duplicates: Vec<Error>,
    /// What lowering has cost so far: fields, attributes and group uses.
    budget: budget::Budget,
    /// Whether undefined references are skipped (and recorded) rather than fatal.
    lenient: bool,
    skipped: std::cell::RefCell<Vec<Error>>,
}

/// What a strict-mode error about something undefined says about lenient mode.
const LENIENT_HINT: &str = "; to leave out what needs it and go on, generate with `--lenient` \
                            (`Builder::lenient(true)` in a build script)";

/// How a particle's own occurrence combines with the particles around it.
#[derive(Debug, Clone, Copy, Default)]
struct Context {
    optional: bool,
    many: bool,
}

impl Context {
    fn within(self, particle: &Particle) -> Self {
        Self {
            optional: self.optional || particle.min == 0,
            many: self.many || particle.repeats(),
        }
    }
}

impl<'d> Lowerer<'d> {
    fn new(documents: &'d Documents) -> Self {
        let mut index = Index {
            types: HashMap::new(),
            elements: HashMap::new(),
            attributes: HashMap::new(),
            groups: HashMap::new(),
            attribute_groups: HashMap::new(),
        };
        let mut duplicates = Vec::new();
        for schema in &documents.schemas {
            let ns = &schema.target_namespace;
            for def in &schema.types {
                let name = QName::new(ns, def.name.clone().unwrap_or_default());
                let first = index.types.entry(name.clone()).or_insert((def, schema));
                duplicate(&mut duplicates, "type", &name, &first.0.at, &def.at);
            }
            for element in &schema.elements {
                let name = QName::new(ns, &element.name);
                let first = index
                    .elements
                    .entry(name.clone())
                    .or_insert((element, schema));
                duplicate(&mut duplicates, "element", &name, &first.0.at, &element.at);
            }
            for attribute in &schema.attributes {
                let name = QName::new(ns, &attribute.name);
                let first = index.attributes.entry(name.clone()).or_insert(attribute);
                duplicate(
                    &mut duplicates,
                    "attribute",
                    &name,
                    &first.at,
                    &attribute.at,
                );
            }
            for group in &schema.groups {
                let name = QName::new(ns, &group.name);
                let first = index.groups.entry(name.clone()).or_insert((group, schema));
                duplicate(&mut duplicates, "group", &name, &first.0.at, &group.at);
            }
            for group in &schema.attribute_groups {
                let name = QName::new(ns, &group.name);
                let first = index.attribute_groups.entry(name.clone()).or_insert(group);
                duplicate(
                    &mut duplicates,
                    "attribute group",
                    &name,
                    &first.at,
                    &group.at,
                );
            }
        }
        let mut members: HashMap<QName, Vec<QName>> = HashMap::new();
        for schema in &documents.schemas {
            for element in &schema.elements {
                let name = QName::new(&schema.target_namespace, &element.name);
                let indexed = index
                    .elements
                    .get(&name)
                    .is_some_and(|(e, _)| std::ptr::eq(*e, element));
                if let Some(head) = element.substitution_group.as_ref().filter(|_| indexed) {
                    members.entry(head.clone()).or_default().push(name);
                }
            }
        }
        let derivations = derived::derivations(documents, &index);
        Self {
            index,
            scope: Scope::with_reserved(naming::PRELUDE_VALUES),
            named: HashMap::new(),
            element_named: HashMap::new(),
            items: Vec::new(),
            item_index: HashMap::new(),
            anonymous: HashMap::new(),
            group_stack: Vec::new(),
            budget: budget::Budget::default(),
            base_stack: Vec::new(),
            derivations,
            derived_named: HashMap::new(),
            members,
            member_groups: HashMap::new(),
            groups: HashMap::new(),
            mixed: HashMap::new(),
            arrays: HashMap::new(),
            duplicates,
            lenient: false,
            skipped: std::cell::RefCell::new(Vec::new()),
        }
    }

    /// Gives every named type, then every global element with an anonymous type, its Rust
    /// name, in document order, so a name does not depend on where it is first used.
    fn assign_names(&mut self, documents: &'d Documents) {
        for schema in &documents.schemas {
            for def in &schema.types {
                let name = QName::new(
                    &schema.target_namespace,
                    def.name.clone().unwrap_or_default(),
                );
                if self
                    .index
                    .types
                    .get(&name)
                    .is_some_and(|(d, _)| std::ptr::eq(*d, def))
                    && !self.named.contains_key(&name)
                {
                    let rust = self.scope.claim(&type_name(&name.local, "Type"));
                    self.named.insert(name, rust);
                }
            }
        }
        for schema in &documents.schemas {
            for element in &schema.elements {
                let name = QName::new(&schema.target_namespace, &element.name);
                let indexed = self
                    .index
                    .elements
                    .get(&name)
                    .is_some_and(|(e, _)| std::ptr::eq(*e, element));
                if indexed
                    && matches!(element.type_ref, Some(TypeRef::Inline(_)))
                    && !self.element_named.contains_key(&name)
                {
                    let wanted = type_name(&name.local, "Element");
                    let rust = if self.named.values().any(|n| *n == wanted) {
                        self.scope.claim(&format!("{wanted}Element"))
                    } else {
                        self.scope.claim(&wanted)
                    };
                    self.element_named.insert(name, rust);
                }
            }
        }
    }

    /// The Rust name of a named type, unless `def` repeats an earlier definition.
    fn named_type(&self, ns: &str, def: &TypeDef) -> Option<String> {
        let name = QName::new(ns, def.name.clone().unwrap_or_default());
        let (indexed, _) = self.index.types.get(&name)?;
        std::ptr::eq(*indexed, def).then(|| self.named[&name].clone())
    }

    /// The Rust name of a global element's anonymous type, unless `element` repeats an earlier
    /// declaration.
    fn element_type_name(&self, ns: &str, element: &ElementDecl) -> Option<String> {
        let name = QName::new(ns, &element.name);
        let (indexed, _) = self.index.elements.get(&name)?;
        if std::ptr::eq(*indexed, element) {
            self.element_named.get(&name).cloned()
        } else {
            None
        }
    }

    fn push(&mut self, item: TypeItem) {
        self.item_index.insert(item.name.clone(), self.items.len());
        self.items.push(item);
    }

    /// In lenient mode, records `error` as something left out; otherwise returns it.
    pub(crate) fn skip_or_fail(&self, error: Error) -> Result<(), Error> {
        if self.lenient {
            self.skipped.borrow_mut().push(error);
            Ok(())
        } else {
            // An error may come back through here from an item that needs another (an
            // operation and its header): it says how to go on once.
            if error.message.ends_with(LENIENT_HINT) {
                return Err(error);
            }
            Err(Error {
                message: format!("{}{LENIENT_HINT}", error.message),
                ..error
            })
        }
    }

    /// `result`, or in lenient mode `fallback` in place of an error.
    fn or_untyped(&self, result: Result<TypeExpr, Error>) -> Result<TypeExpr, Error> {
        result.or_else(|error| {
            self.skip_or_fail(error)
                .map(|()| TypeExpr::Builtin(Builtin::AnyContent))
        })
    }

    /// The Rust type for a reference to the type `name`.
    pub(crate) fn type_expr(&self, name: &QName, at: &Location) -> Result<TypeExpr, Error> {
        if is_xsd_ns(&name.ns) || name.ns == SOAP_ENC_NS {
            if let Some(builtin) = builtin::builtin(&name.local) {
                return Ok(TypeExpr::Builtin(builtin));
            }
            if builtin::builtin_list(&name.local) {
                return Ok(TypeExpr::List(Box::new(TypeExpr::Builtin(Builtin::String))));
            }
            if name.ns == SOAP_ENC_NS && matches!(name.local.as_str(), "Array" | "Struct") {
                return Ok(TypeExpr::Builtin(Builtin::AnyContent));
            }
            if is_xsd_ns(&name.ns) {
                return Err(Error::new(
                    at.clone(),
                    format!("`{}` is not an XML Schema built-in type", name.local),
                ));
            }
        }
        // A type others derive from stands for any of them.
        match self
            .derived_named
            .get(name)
            .or_else(|| self.named.get(name))
        {
            Some(rust) => Ok(TypeExpr::Named(rust.clone())),
            None => self.or_untyped(Err(Error::new(
                at.clone(),
                format!("type `{name}` is not defined"),
            ))),
        }
    }

    /// The global element `name`, or an error at `at`.
    fn global_element(
        &self,
        name: &QName,
        at: &Location,
    ) -> Result<(&'d ElementDecl, &'d Schema), Error> {
        self.index
            .elements
            .get(name)
            .copied()
            .ok_or_else(|| Error::new(at.clone(), format!("element `{name}` is not defined")))
    }

    /// The Rust type of the global element `name`.
    /// An element without a type has its substitution group head's type, or `anyType`.
    pub(crate) fn element_type(&self, name: &QName, at: &Location) -> Result<TypeExpr, Error> {
        let mut name = name;
        let mut at = at;
        let mut seen = Vec::new();
        loop {
            let element = match self.global_element(name, at) {
                Ok((element, _)) => element,
                Err(error) => return self.or_untyped(Err(error)),
            };
            return match &element.type_ref {
                Some(TypeRef::Named(type_name, at)) => self.type_expr(type_name, at),
                Some(TypeRef::Inline(_)) => Ok(TypeExpr::Named(self.element_named[name].clone())),
                None => match &element.substitution_group {
                    // Each step of a chain of heads is a derivation, capped alike.
                    Some(_) if seen.len() >= budget::MAX_DERIVATION_DEPTH => Err(Error::new(
                        element.at.clone(),
                        format!(
                            "substitution groups nest more than {} deep",
                            budget::MAX_DERIVATION_DEPTH
                        ),
                    )),
                    Some(head) if !seen.contains(&head) => {
                        seen.push(head);
                        (name, at) = (head, &element.at);
                        continue;
                    }
                    Some(head) => Err(Error::new(
                        element.at.clone(),
                        format!("substitution group `{head}` contains itself"),
                    )),
                    None => Ok(TypeExpr::Builtin(Builtin::AnyContent)),
                },
            };
        }
    }

    /// A type definition as an item named `name`.
    fn type_item(
        &mut self,
        def: &TypeDef,
        ns: Option<&str>,
        name: &str,
    ) -> Result<TypeItem, Error> {
        let kind_word = match def.kind {
            crate::read::xsd::TypeKind::Simple(_) => "simpleType",
            crate::read::xsd::TypeKind::Complex(_) => "complexType",
        };
        let origin = match (&def.name, ns) {
            (Some(xml), Some(ns)) => format!("{kind_word} `{xml}`{}", in_namespace(ns)),
            _ => format!("anonymous {kind_word}"),
        };
        let kind = match &def.kind {
            crate::read::xsd::TypeKind::Simple(simple) => self.simple_kind(simple, name)?,
            crate::read::xsd::TypeKind::Complex(complex) => {
                TypeKind::Struct(self.complex_struct(complex, name)?)
            }
        };
        Ok(TypeItem {
            name: name.to_owned(),
            doc: def.doc.clone(),
            origin,
            kind,
            default: true,
        })
    }

    fn simple_kind(&mut self, simple: &SimpleType, owner: &str) -> Result<TypeKind, Error> {
        Ok(match simple {
            SimpleType::List { item } => TypeKind::Alias(TypeExpr::List(Box::new(
                self.type_ref_expr(item, owner, "Item")?,
            ))),
            SimpleType::Union { members } => {
                for member in members {
                    self.type_ref_expr(member, owner, "Member")?; // dangling members are still errors
                }
                TypeKind::Alias(TypeExpr::Builtin(Builtin::String))
            }
            SimpleType::Restriction {
                base,
                facets,
                enumeration,
            } if !enumeration.is_empty() => {
                let _ = (base, facets);
                let mut variants = Scope::new();
                variants.reserve(&["Unknown"]);
                TypeKind::Enum(
                    enumeration
                        .iter()
                        .map(|e| EnumVariant {
                            rust: variants.claim(&type_name(&e.value, "Value")),
                            value: e.value.clone(),
                            doc: e.doc.clone(),
                        })
                        .collect(),
                )
            }
            SimpleType::Restriction { base, facets, .. } => {
                let inner = self.type_ref_expr(base, owner, "Base")?;
                let builtin = self.builtin_of(&inner);
                let mut checks = Vec::new();
                let mut notes = Vec::new();
                for facet in facets {
                    let value = facet.value.trim();
                    let length = || value.parse::<u64>().ok();
                    let check = match (facet.kind.as_str(), builtin) {
                        ("length", Some(b)) if b.has_length() => length().map(FacetCheck::Length),
                        ("minLength", Some(b)) if b.has_length() => {
                            length().map(FacetCheck::MinLength)
                        }
                        ("maxLength", Some(b)) if b.has_length() => {
                            length().map(FacetCheck::MaxLength)
                        }
                        (
                            kind @ ("minInclusive" | "maxInclusive" | "minExclusive"
                            | "maxExclusive"),
                            Some(b),
                        ) if b.is_number() => {
                            number_literal(value, b).map(|literal| FacetCheck::Bound {
                                facet: static_facet(kind),
                                literal,
                            })
                        }
                        _ => None,
                    };
                    match check {
                        Some(check) if matches!(inner, TypeExpr::Builtin(_)) => checks.push(check),
                        _ if facet.kind == "whiteSpace" => {}
                        _ => notes.push(format!("{}: `{}`", facet.kind, facet.value)),
                    }
                }
                if checks.is_empty() {
                    TypeKind::Alias(inner)
                } else {
                    TypeKind::Newtype {
                        inner,
                        facets: checks,
                        notes,
                    }
                }
            }
        })
    }

    /// The built-in a type expression finally stands for, through aliases. Past
    /// [`budget::MAX_DERIVATION_DEPTH`] aliases (no real schema has that many, and a hostile
    /// one would make every facet follow a chain of thousands) it is taken as unknown, so
    /// the facets are noted rather than checked.
    fn builtin_of(&self, expr: &TypeExpr) -> Option<Builtin> {
        let mut expr = expr;
        for _ in 0..=budget::MAX_DERIVATION_DEPTH {
            match expr {
                TypeExpr::Builtin(b) => return Some(*b),
                TypeExpr::Named(name) => match &self.items[*self.item_index.get(name)?].kind {
                    TypeKind::Alias(inner) => expr = inner,
                    _ => return None,
                },
                _ => return None,
            }
        }
        None
    }

    /// The Rust type of a type reference; an inline type becomes an item named after its owner.
    fn type_ref_expr(
        &mut self,
        type_ref: &TypeRef,
        owner: &str,
        role: &str,
    ) -> Result<TypeExpr, Error> {
        match type_ref {
            TypeRef::Named(name, at) => self.type_expr(name, at),
            TypeRef::Inline(def) => self.anonymous(def, owner, role),
        }
    }

    /// Lowers an anonymous type used by `owner` in the role `role` (a field's name, say). A
    /// restriction that checks nothing is not worth a name: its base type is used instead.
    fn anonymous(&mut self, def: &TypeDef, owner: &str, role: &str) -> Result<TypeExpr, Error> {
        if let Some(done) = self.anonymous.get(&def.at) {
            return Ok(done.clone());
        }
        let name = self
            .scope
            .claim(&format!("{owner}{}", type_name(role, "Type")));
        let item = self.type_item(def, None, &name)?;
        let expr = match &item.kind {
            TypeKind::Alias(inner) if !matches!(inner, TypeExpr::List(_)) => {
                self.scope.release(&name);
                inner.clone()
            }
            _ => {
                self.push(item);
                TypeExpr::Named(name)
            }
        };
        self.anonymous.insert(def.at.clone(), expr.clone());
        Ok(expr)
    }

    fn complex_struct(&mut self, complex: &ComplexType, owner: &str) -> Result<StructDef, Error> {
        let mut fields = Vec::new();
        let mut scope = Scope::new();
        let mut def = StructDef::default();
        let mut has_any = false;
        let mixed = self.is_mixed(complex);
        match &complex.content {
            Content::Particle(_) if mixed => match self.mixed_field(complex, owner)? {
                Some(field) => fields.push(field),
                None => def.text = Some(TypeExpr::Builtin(Builtin::String)),
            },
            Content::Particle(particle) => {
                if let Some(p) = particle {
                    self.particle_fields(p, Context::default(), owner, &mut fields, &mut has_any)?;
                }
            }
            Content::Simple { base, at, .. } => {
                def.text = Some(self.value_type(base, at)?);
                def.attributes = self.inherited_attributes(base, at)?;
            }
            Content::Complex {
                derivation,
                base,
                at,
                particle,
            } => {
                if base.ns == SOAP_ENC_NS && base.local == "Array" {
                    fields.push(self.array_field(complex, particle.as_ref(), owner)?);
                    return Ok(StructDef { fields, ..def });
                }
                let base_struct = self.base_struct(base, at)?;
                def.attributes = base_struct.attributes;
                if mixed {
                    match self.mixed_field(complex, owner)? {
                        Some(field) => fields.push(field),
                        None => def.text = Some(TypeExpr::Builtin(Builtin::String)),
                    }
                } else {
                    if *derivation == Derivation::Extension {
                        fields = base_struct.fields;
                        def.text = base_struct.text;
                        has_any = fields.iter().any(|f| f.kind == FieldKind::Any);
                    }
                    if let Some(p) = particle {
                        self.particle_fields(
                            p,
                            Context::default(),
                            owner,
                            &mut fields,
                            &mut has_any,
                        )?;
                    }
                }
                def.any_attribute = base_struct.any_attribute;
            }
        }
        // Own attributes override inherited ones of the same name; `prohibited` removes them.
        let own = self.attribute_fields(&complex.attributes, owner)?;
        for (attribute, prohibited) in own {
            def.attributes.retain(|a| a.name != attribute.name);
            if !prohibited {
                def.attributes.push(attribute);
            }
        }
        def.any_attribute |= complex.any_attribute || self.groups_allow_any(&complex.attributes);
        // Rust names: XML-derived first, then the generated ones.
        for attribute in &mut def.attributes {
            attribute.rust = scope.claim(&attribute.rust);
        }
        claim_field_names(&mut scope, &mut fields);
        if def.text.is_some() {
            def.text_rust = scope.claim("value");
        }
        if def.any_attribute {
            def.any_attributes_rust = scope.claim("any_attributes");
        }
        def.fields = fields;
        Ok(def)
    }

    fn groups_allow_any(&self, uses: &[AttributeUse]) -> bool {
        uses.iter().any(|u| match u {
            AttributeUse::Group(name, _) => self
                .index
                .attribute_groups
                .get(name)
                .is_some_and(|g| g.any_attribute || self.groups_allow_any(&g.attributes)),
            AttributeUse::Attribute(_) => false,
        })
    }

    /// Whether the named type is a SOAP-encoded array (a restriction of `SOAP-ENC:Array`).
    pub(crate) fn is_soap_array(&self, name: &QName) -> bool {
        if name.ns == SOAP_ENC_NS && name.local == "Array" {
            return true;
        }
        self.index.types.get(name).is_some_and(|(def, _)| {
            matches!(&def.kind, crate::read::xsd::TypeKind::Complex(ComplexType {
                content: Content::Complex { base, .. }, ..
            }) if base.ns == SOAP_ENC_NS && base.local == "Array")
        })
    }

    /// The fields and attributes a derived type inherits from the complex type `base`.
    fn base_struct(&mut self, base: &QName, at: &Location) -> Result<StructDef, Error> {
        if is_xsd_ns(&base.ns) && base.local == "anyType" {
            return Ok(StructDef::default());
        }
        let (def, _) = self
            .index
            .types
            .get(base)
            .copied()
            .ok_or_else(|| Error::new(at.clone(), format!("type `{base}` is not defined")))?;
        let crate::read::xsd::TypeKind::Complex(complex) = &def.kind else {
            return Err(Error::new(
                at.clone(),
                format!("complexContent cannot derive from the simple type `{base}`"),
            ));
        };
        if self.base_stack.contains(base) {
            return Err(Error::new(
                at.clone(),
                format!("type `{base}` derives from itself"),
            ));
        }
        budget::check_derivation(self.base_stack.len() + 1, at)?;
        self.base_stack.push(base.clone());
        let owner = self.named[base].clone();
        let inherited = self.complex_struct(complex, &owner);
        self.base_stack.pop();
        inherited
    }

    /// The text type of simple content derived from `base`: the chain of complex types with
    /// simple content is followed to the simple type at its end.
    fn value_type(&mut self, base: &QName, at: &Location) -> Result<TypeExpr, Error> {
        let (mut base, mut at) = (base, at);
        let mut chain: Vec<&QName> = Vec::new();
        while let Some((def, _)) = self.index.types.get(base).copied() {
            let crate::read::xsd::TypeKind::Complex(complex) = &def.kind else {
                break;
            };
            let Content::Simple {
                base: next,
                at: next_at,
                ..
            } = &complex.content
            else {
                return Ok(TypeExpr::Builtin(Builtin::String)); // mixed content: its text
            };
            if chain.contains(&base) {
                return Err(Error::new(
                    at.clone(),
                    format!("type `{base}` derives from itself"),
                ));
            }
            chain.push(base);
            budget::check_derivation(chain.len(), at)?;
            (base, at) = (next, next_at);
        }
        self.type_expr(base, at)
    }

    /// The attributes simple content inherits from a complex base.
    fn inherited_attributes(
        &mut self,
        base: &QName,
        at: &Location,
    ) -> Result<Vec<AttributeField>, Error> {
        match self.index.types.get(base).map(|(d, _)| &d.kind) {
            Some(crate::read::xsd::TypeKind::Complex(_)) => {
                Ok(self.base_struct(base, at)?.attributes)
            }
            _ => Ok(Vec::new()),
        }
    }

    /// Attribute uses as fields, each with whether it is `prohibited`.
    fn attribute_fields(
        &mut self,
        uses: &[AttributeUse],
        owner: &str,
    ) -> Result<Vec<(AttributeField, bool)>, Error> {
        let mut out = Vec::new();
        for u in uses {
            match u {
                AttributeUse::Attribute(decl) => {
                    let (name, type_ref, doc) = match &decl.reference {
                        Some(reference) => {
                            if reference.ns == SOAP_ENC_NS || reference.ns == crate::read::WSDL_NS {
                                continue; // SOAP-ENC:arrayType and friends: the encoding's business
                            }
                            let global = match self.index.attributes.get(reference) {
                                Some(global) => *global,
                                None if reference.ns == "http://www.w3.org/XML/1998/namespace" => {
                                    out.push((
                                        AttributeField {
                                            rust: field_name(&reference.local),
                                            doc: decl.doc.clone(),
                                            name: XmlName::from_qname(reference),
                                            ty: TypeExpr::Builtin(Builtin::String),
                                            required: decl.required,
                                        },
                                        decl.prohibited,
                                    ));
                                    continue;
                                }
                                None => {
                                    return Err(Error::new(
                                        decl.at.clone(),
                                        format!("attribute `{reference}` is not defined"),
                                    ))
                                }
                            };
                            (
                                XmlName::from_qname(reference),
                                global.type_ref.clone(),
                                decl.doc.clone().or_else(|| global.doc.clone()),
                            )
                        }
                        None => (
                            XmlName {
                                ns: (!decl.ns.is_empty()).then(|| decl.ns.clone()),
                                local: decl.name.clone(),
                            },
                            decl.type_ref.clone(),
                            decl.doc.clone(),
                        ),
                    };
                    let ty = match &type_ref {
                        Some(type_ref) => self.type_ref_expr(type_ref, owner, &name.local)?,
                        None => TypeExpr::Builtin(Builtin::String),
                    };
                    if matches!(&ty, TypeExpr::Builtin(Builtin::AnyContent)) {
                        return Err(Error::new(
                            decl.at.clone(),
                            format!("attribute `{}` needs a simple type", name.local),
                        ));
                    }
                    self.budget.step(&decl.at)?;
                    out.push((
                        AttributeField {
                            rust: field_name(&name.local),
                            doc,
                            name,
                            ty,
                            required: decl.required,
                        },
                        decl.prohibited,
                    ));
                }
                AttributeUse::Group(name, group_at) => {
                    let group = *self.index.attribute_groups.get(name).ok_or_else(|| {
                        Error::new(
                            group_at.clone(),
                            format!("attribute group `{name}` is not defined"),
                        )
                    })?;
                    if self.group_stack.contains(name) {
                        return Err(Error::new(
                            group_at.clone(),
                            format!("attribute group `{name}` contains itself"),
                        ));
                    }
                    self.budget.step(group_at)?;
                    self.group_stack.push(name.clone());
                    let inner = self.attribute_fields(&group.attributes, owner);
                    self.group_stack.pop();
                    out.extend(inner?);
                    budget::check_fields(out.len(), "attributes", group_at)?;
                }
            }
        }
        Ok(out)
    }

    /// Flattens a particle into fields: sequences and groups open up, a choice of elements
    /// becomes one field of an enum, `xsd:any` becomes the `any` field.
    fn particle_fields(
        &mut self,
        particle: &Particle,
        outer: Context,
        owner: &str,
        out: &mut Vec<Field>,
        has_any: &mut bool,
    ) -> Result<(), Error> {
        if particle.max == Some(0) {
            return Ok(());
        }
        let context = outer.within(particle);
        match &particle.term {
            Term::Element(element) => {
                self.budget.step(&element.at)?;
                budget::check_fields(out.len() + 1, "fields", &element.at)?;
                if self.member_field(element, context, out)? {
                    return Ok(()); // the head of a substitution group: any member may stand
                }
                let (name, ty, nillable, doc) = self.element_use(element, owner)?;
                let occurs = match (context.many, context.optional, nillable) {
                    (true, _, false) => Occurs::Many,
                    (true, _, true) => Occurs::ManyNillable,
                    (false, true, false) => Occurs::Optional { nil: false },
                    (false, true, true) => Occurs::OptionalNillable,
                    (false, false, true) => Occurs::Optional { nil: true },
                    (false, false, false) => Occurs::Required,
                };
                out.push(Field {
                    rust: field_name(&name.local),
                    doc,
                    kind: FieldKind::Element(name),
                    ty,
                    occurs,
                    boxed: false,
                    xsi_type: None,
                });
            }
            Term::Sequence(children) | Term::All(children) => {
                // A sequence of several elements that repeats as a whole keeps each
                // repetition together; one of a single element is just that element repeated.
                let several = children.iter().filter(|c| c.max != Some(0)).count() > 1;
                if context.many && several && self.holds_several_elements(particle) {
                    return self.sequence_field(particle, context, owner, out);
                }
                for child in children {
                    self.particle_fields(child, context, owner, out, has_any)?;
                }
            }
            Term::Group(name) => self.expand_group(name, &particle.at, |this, group| {
                this.particle_fields(group, context, owner, out, has_any)
            })?,
            // The elements no other field wants, held where the first wildcard stands (so
            // they are written back there); a later wildcard adds to the same field.
            Term::Any if !*has_any => {
                *has_any = true;
                out.push(Field::any());
            }
            Term::Any => {}
            Term::Choice(children) => {
                self.choice_field(particle, children, context, owner, out)?;
            }
        }
        Ok(())
    }

    /// Runs `f` on the content of the named model group `name` (referred to at `at`),
    /// stopping a group that contains itself.
    fn expand_group<R>(
        &mut self,
        name: &QName,
        at: &Location,
        f: impl FnOnce(&mut Self, &'d Particle) -> Result<R, Error>,
    ) -> Result<R, Error> {
        let (group, _) = self
            .index
            .groups
            .get(name)
            .copied()
            .ok_or_else(|| Error::new(at.clone(), format!("group `{name}` is not defined")))?;
        if self.group_stack.contains(name) {
            return Err(Error::new(
                at.clone(),
                format!("group `{name}` contains itself"),
            ));
        }
        self.budget.step(at)?;
        self.group_stack.push(name.clone());
        let result = f(self, &group.particle);
        self.group_stack.pop();
        result
    }

    /// An element particle's name, type, nillability and documentation.
    fn element_use(
        &mut self,
        element: &ElementDecl,
        owner: &str,
    ) -> Result<(XmlName, TypeExpr, bool, Option<String>), Error> {
        if let Some(reference) = &element.reference {
            let ty = self.element_type(reference, &element.at)?;
            let global = self
                .index
                .elements
                .get(reference)
                .map(|(global, _)| *global);
            return Ok((
                XmlName::from_qname(reference),
                ty,
                global.is_some_and(|g| g.nillable),
                element
                    .doc
                    .clone()
                    .or_else(|| global.and_then(|g| g.doc.clone())),
            ));
        }
        let name = XmlName {
            ns: (!element.ns.is_empty()).then(|| element.ns.clone()),
            local: element.name.clone(),
        };
        let ty = match &element.type_ref {
            Some(type_ref) => self.type_ref_expr(type_ref, owner, &element.name)?,
            None => match &element.substitution_group {
                Some(head) => self.element_type(head, &element.at)?,
                None => TypeExpr::Builtin(Builtin::AnyContent),
            },
        };
        Ok((name, ty, element.nillable, element.doc.clone()))
    }
}

/// Records `name` as defined twice when `first`, the definition kept, is not `at`.
fn duplicate(out: &mut Vec<Error>, what: &str, name: &QName, first: &Location, at: &Location) {
    if first != at {
        out.push(Error::new(
            at.clone(),
            format!("{what} `{name}` is defined twice: here, and at {first}"),
        ));
    }
}

/// Gives fields their Rust names in `scope`: names from XML first, then the generated `any`.
fn claim_field_names(scope: &mut Scope, fields: &mut [Field]) {
    for field in fields.iter_mut().filter(|f| f.kind != FieldKind::Any) {
        field.rust = scope.claim(&field.rust);
    }
    for field in fields.iter_mut().filter(|f| f.kind == FieldKind::Any) {
        field.rust = scope.claim("any");
    }
}

fn static_facet(kind: &str) -> &'static str {
    match kind {
        "minInclusive" => "minInclusive",
        "maxInclusive" => "maxInclusive",
        "minExclusive" => "minExclusive",
        _ => "maxExclusive",
    }
}

/// The facet value as a Rust literal of the built-in type, if it is a value of that type.
fn number_literal(value: &str, builtin: Builtin) -> Option<String> {
    fn exact<T: std::str::FromStr + ToString>(value: &str) -> Option<String> {
        value.parse::<T>().ok().map(|v| v.to_string())
    }
    let value = value.strip_prefix('+').unwrap_or(value);
    match builtin {
        Builtin::F32 | Builtin::F64 => value
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .map(|v| format!("{v:?}")),
        Builtin::I8 => exact::<i8>(value),
        Builtin::I16 => exact::<i16>(value),
        Builtin::I32 => exact::<i32>(value),
        Builtin::I64 => exact::<i64>(value),
        Builtin::I128 => exact::<i128>(value),
        Builtin::U8 => exact::<u8>(value),
        Builtin::U16 => exact::<u16>(value),
        Builtin::U32 => exact::<u32>(value),
        Builtin::U64 => exact::<u64>(value),
        Builtin::U128 => exact::<u128>(value),
        _ => None,
    }
}
