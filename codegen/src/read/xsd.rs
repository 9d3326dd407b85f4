//! The XML Schema model: what a schema declares, as written, with names resolved.

use roxmltree::Node;

use super::{documentation, elements, is_xsd_ns, QName, Source};
use crate::{Error, Location};

#[derive(Debug, Clone)]
pub struct Schema {
    pub target_namespace: String,
    pub location: Location,
    pub imports: Vec<Import>,
    pub types: Vec<TypeDef>,
    pub elements: Vec<ElementDecl>,
    pub attributes: Vec<AttributeDecl>,
    pub groups: Vec<Group>,
    pub attribute_groups: Vec<AttributeGroup>,
}

/// An `xsd:import` or `xsd:include`.
#[derive(Debug, Clone)]
pub struct Import {
    pub location: Option<String>,
    pub include: bool,
    pub at: Location,
}

#[derive(Debug, Clone)]
pub struct TypeDef {
    /// `None` for an anonymous type.
    pub name: Option<String>,
    pub doc: Option<String>,
    pub at: Location,
    pub kind: TypeKind,
    /// `abstract="true"`: only types derived from it have instances.
    pub is_abstract: bool,
}

#[derive(Debug, Clone)]
pub enum TypeKind {
    Simple(SimpleType),
    Complex(ComplexType),
}

#[derive(Debug, Clone)]
pub enum TypeRef {
    Named(QName, Location),
    Inline(Box<TypeDef>),
}

#[derive(Debug, Clone)]
pub enum SimpleType {
    Restriction {
        base: TypeRef,
        facets: Vec<Facet>,
        enumeration: Vec<EnumValue>,
    },
    List {
        item: TypeRef,
    },
    Union {
        members: Vec<TypeRef>,
    },
}

#[derive(Debug, Clone)]
pub struct Facet {
    pub kind: String,
    pub value: String,
}

#[derive(Debug, Clone)]
pub struct EnumValue {
    pub value: String,
    pub doc: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ComplexType {
    pub mixed: bool,
    pub content: Content,
    pub attributes: Vec<AttributeUse>,
    pub any_attribute: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Derivation {
    Extension,
    Restriction,
}

#[derive(Debug, Clone)]
pub enum Content {
    /// A content model given directly (or none: an empty type).
    Particle(Option<Particle>),
    /// `simpleContent`: text of the base's value type, plus attributes.
    Simple { base: QName, at: Location },
    /// `complexContent`: the base's content and attributes, extended or restricted.
    Complex {
        derivation: Derivation,
        base: QName,
        at: Location,
        particle: Option<Particle>,
    },
}

#[derive(Debug, Clone)]
pub struct Particle {
    pub min: u64,
    /// `None` for `unbounded`.
    pub max: Option<u64>,
    pub term: Term,
    pub at: Location,
}

impl Particle {
    pub fn repeats(&self) -> bool {
        self.max.is_none_or(|max| max > 1)
    }
}

#[derive(Debug, Clone)]
pub enum Term {
    Element(Box<ElementDecl>),
    Sequence(Vec<Particle>),
    Choice(Vec<Particle>),
    All(Vec<Particle>),
    Group(QName),
    Any,
}

#[derive(Debug, Clone)]
pub struct ElementDecl {
    pub name: String,
    /// The namespace the element's name is in ("" when unqualified).
    pub ns: String,
    /// `ref="..."`: the global element this stands for.
    pub reference: Option<QName>,
    pub type_ref: Option<TypeRef>,
    pub nillable: bool,
    pub substitution_group: Option<QName>,
    /// `abstract="true"`: only the members of its substitution group may appear.
    pub is_abstract: bool,
    pub doc: Option<String>,
    pub at: Location,
}

#[derive(Debug, Clone)]
pub enum AttributeUse {
    Attribute(AttributeDecl),
    Group(QName, Location),
}

#[derive(Debug, Clone)]
pub struct AttributeDecl {
    pub name: String,
    pub ns: String,
    pub reference: Option<QName>,
    pub type_ref: Option<TypeRef>,
    pub required: bool,
    pub prohibited: bool,
    /// `wsdl:arrayType` on a `SOAP-ENC:arrayType` attribute: the array's item type.
    pub array_type: Option<Box<ArrayType>>,
    pub doc: Option<String>,
    pub at: Location,
}

/// A `wsdl:arrayType` value: `xsd:string[]`, `xsd:string[][]`, `xsd:int[,]`.
#[derive(Debug, Clone)]
pub struct ArrayType {
    /// The type of the innermost items.
    pub item: QName,
    /// The rank of each bracket group, as written: the last is the array's own, those
    /// before it are the item type's (`xsd:string[][]` is `[1, 1]`: an array of arrays).
    pub ranks: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Group {
    pub name: String,
    pub particle: Particle,
    pub at: Location,
}

#[derive(Debug, Clone)]
pub struct AttributeGroup {
    pub name: String,
    pub attributes: Vec<AttributeUse>,
    pub any_attribute: bool,
    pub at: Location,
}

/// Reads an `xsd:schema` element. `chameleon` is the target namespace an including schema
/// lends to a schema that declares none.
pub fn read_schema(
    source: &Source<'_>,
    node: Node<'_, '_>,
    chameleon: Option<&str>,
) -> Result<Schema, Error> {
    let target_namespace = node
        .attribute("targetNamespace")
        .or(chameleon)
        .unwrap_or("")
        .to_owned();
    let reader = SchemaReader {
        source,
        chameleon: node.attribute("targetNamespace").is_none() && chameleon.is_some(),
        target_namespace: target_namespace.clone(),
        elements_qualified: node.attribute("elementFormDefault") == Some("qualified"),
        attributes_qualified: node.attribute("attributeFormDefault") == Some("qualified"),
    };
    let mut schema = Schema {
        target_namespace,
        location: source.location(node),
        imports: Vec::new(),
        types: Vec::new(),
        elements: Vec::new(),
        attributes: Vec::new(),
        groups: Vec::new(),
        attribute_groups: Vec::new(),
    };
    for child in elements(node) {
        reader.expect_xsd(child)?;
        match child.tag_name().name() {
            "import" | "include" => schema.imports.push(Import {
                location: child.attribute("schemaLocation").map(str::to_owned),
                include: child.tag_name().name() == "include",
                at: source.location(child),
            }),
            "simpleType" => schema.types.push(reader.simple_type(child, true)?),
            "complexType" => schema.types.push(reader.complex_type(child, true)?),
            "element" => schema.elements.push(reader.element(child, true)?),
            "attribute" => schema.attributes.push(reader.attribute(child, true)?),
            "group" => {
                let name = source.required(child, "name")?.to_owned();
                let particle = elements(child)
                    .find(|c| c.tag_name().name() != "annotation")
                    .ok_or_else(|| {
                        source.error(child, format!("group `{name}` has no content model"))
                    })?;
                let particle = reader.particle(particle)?;
                schema.groups.push(Group {
                    name,
                    particle,
                    at: source.location(child),
                });
            }
            "attributeGroup" => {
                let name = source.required(child, "name")?.to_owned();
                let (attributes, any_attribute) = reader.attribute_uses(child)?;
                schema.attribute_groups.push(AttributeGroup {
                    name,
                    attributes,
                    any_attribute,
                    at: source.location(child),
                });
            }
            "annotation" | "notation" => {}
            other => {
                return Err(source.error(
                    child,
                    format!("unsupported XML Schema construct <xsd:{other}>"),
                ))
            }
        }
    }
    Ok(schema)
}

/// A boolean attribute (`true` or `1`).
fn is_true(value: Option<&str>) -> bool {
    matches!(value.map(str::trim), Some("true" | "1"))
}

struct SchemaReader<'s, 'i> {
    source: &'s Source<'i>,
    /// A schema without a target namespace, included by one with: its unqualified references
    /// are to names in the including namespace.
    chameleon: bool,
    target_namespace: String,
    elements_qualified: bool,
    attributes_qualified: bool,
}

impl<'i> SchemaReader<'_, 'i> {
    /// Resolves a QName written in this schema (see [`Source::resolve`]), moving a name in no
    /// namespace into the including namespace when the schema is a chameleon.
    fn resolve(&self, node: Node<'_, 'i>, text: &str) -> Result<QName, Error> {
        let mut name = self.source.resolve(node, text)?;
        if self.chameleon && name.ns.is_empty() {
            name.ns = self.target_namespace.clone();
        }
        Ok(name)
    }

    /// A QName-valued attribute, resolved.
    fn qname_attr(&self, node: Node<'_, 'i>, attr: &str) -> Result<Option<QName>, Error> {
        node.attribute(attr)
            .map(|text| self.resolve(node, text))
            .transpose()
    }

    fn expect_xsd(&self, node: Node<'_, 'i>) -> Result<(), Error> {
        match node.tag_name().namespace() {
            Some(ns) if is_xsd_ns(ns) => Ok(()),
            ns => Err(self.source.error(
                node,
                format!(
                    "expected an XML Schema element, found <{}> in namespace {:?}",
                    node.tag_name().name(),
                    ns.unwrap_or("")
                ),
            )),
        }
    }

    /// The schema elements among `node`'s children, without annotations; other namespaces'
    /// elements (tool extensions, appinfo) are passed over.
    fn content<'n>(&self, node: Node<'n, 'i>) -> impl Iterator<Item = Node<'n, 'i>> {
        elements(node).filter(|c| {
            c.tag_name().namespace().is_some_and(is_xsd_ns) && c.tag_name().name() != "annotation"
        })
    }

    fn simple_type(&self, node: Node<'_, 'i>, global: bool) -> Result<TypeDef, Error> {
        let name = self.type_name(node, global)?;
        let Some(derivation) = self.content(node).next() else {
            return Err(self
                .source
                .error(node, "simpleType has no restriction, list or union"));
        };
        let kind = match derivation.tag_name().name() {
            "restriction" => {
                let base = self.base_type(derivation, "base")?;
                let mut facets = Vec::new();
                let mut enumeration = Vec::new();
                for facet in self.content(derivation) {
                    let kind = facet.tag_name().name();
                    match kind {
                        "simpleType" => continue,
                        "enumeration" => enumeration.push(EnumValue {
                            value: self.source.required(facet, "value")?.to_owned(),
                            doc: documentation(facet),
                        }),
                        "length" | "minLength" | "maxLength" | "pattern" | "whiteSpace"
                        | "minInclusive" | "maxInclusive" | "minExclusive" | "maxExclusive"
                        | "totalDigits" | "fractionDigits" => facets.push(Facet {
                            kind: kind.to_owned(),
                            value: self.source.required(facet, "value")?.to_owned(),
                        }),
                        other => {
                            return Err(self
                                .source
                                .error(facet, format!("unsupported facet <xsd:{other}>")))
                        }
                    }
                }
                SimpleType::Restriction {
                    base,
                    facets,
                    enumeration,
                }
            }
            "list" => SimpleType::List {
                item: self.base_type(derivation, "itemType")?,
            },
            "union" => {
                let mut members = Vec::new();
                if let Some(names) = derivation.attribute("memberTypes") {
                    for name in names.split_whitespace() {
                        members.push(TypeRef::Named(
                            self.resolve(derivation, name)?,
                            self.source.location(derivation),
                        ));
                    }
                }
                for inline in self.content(derivation) {
                    members.push(TypeRef::Inline(Box::new(self.simple_type(inline, false)?)));
                }
                SimpleType::Union { members }
            }
            other => {
                return Err(self.source.error(
                    derivation,
                    format!("unsupported simpleType content <xsd:{other}>"),
                ))
            }
        };
        Ok(TypeDef {
            name,
            doc: documentation(node),
            at: self.source.location(node),
            kind: TypeKind::Simple(kind),
            is_abstract: false,
        })
    }

    /// The type named by attribute `attr`, or the inline `simpleType` child.
    fn base_type(&self, node: Node<'_, 'i>, attr: &str) -> Result<TypeRef, Error> {
        if let Some(name) = self.qname_attr(node, attr)? {
            return Ok(TypeRef::Named(name, self.source.location(node)));
        }
        match self
            .content(node)
            .find(|c| c.tag_name().name() == "simpleType")
        {
            Some(inline) => Ok(TypeRef::Inline(Box::new(self.simple_type(inline, false)?))),
            None => Err(self.source.error(
                node,
                format!(
                    "<xsd:{}> needs `{attr}` or an inline simpleType",
                    node.tag_name().name()
                ),
            )),
        }
    }

    fn type_name(&self, node: Node<'_, 'i>, global: bool) -> Result<Option<String>, Error> {
        if global {
            Ok(Some(self.source.required(node, "name")?.to_owned()))
        } else {
            Ok(node.attribute("name").map(str::to_owned))
        }
    }

    fn complex_type(&self, node: Node<'_, 'i>, global: bool) -> Result<TypeDef, Error> {
        let name = self.type_name(node, global)?;
        let mut mixed = is_true(node.attribute("mixed"));
        let mut content = Content::Particle(None);
        let mut attributes = Vec::new();
        let mut any_attribute = false;
        for child in self.content(node) {
            match child.tag_name().name() {
                "sequence" | "choice" | "all" | "group" => {
                    content = Content::Particle(Some(self.particle(child)?))
                }
                "attribute" | "attributeGroup" | "anyAttribute" => {}
                "simpleContent" | "complexContent" => {
                    let simple = child.tag_name().name() == "simpleContent";
                    mixed |= is_true(child.attribute("mixed"));
                    let Some(derivation) = self.content(child).next() else {
                        return Err(self
                            .source
                            .error(child, "needs an extension or a restriction"));
                    };
                    let kind = match derivation.tag_name().name() {
                        "extension" => Derivation::Extension,
                        "restriction" => Derivation::Restriction,
                        other => {
                            return Err(self
                                .source
                                .error(derivation, format!("unsupported <xsd:{other}> here")))
                        }
                    };
                    let base = self.qname_attr(derivation, "base")?.ok_or_else(|| {
                        self.source.error(derivation, "needs the attribute `base`")
                    })?;
                    let at = self.source.location(derivation);
                    let (uses, any) = self.attribute_uses(derivation)?;
                    attributes.extend(uses);
                    any_attribute |= any;
                    content = if simple {
                        Content::Simple { base, at }
                    } else {
                        let particle = self
                            .content(derivation)
                            .find(|c| {
                                matches!(
                                    c.tag_name().name(),
                                    "sequence" | "choice" | "all" | "group"
                                )
                            })
                            .map(|p| self.particle(p))
                            .transpose()?;
                        Content::Complex {
                            derivation: kind,
                            base,
                            at,
                            particle,
                        }
                    };
                }
                other => {
                    return Err(self.source.error(
                        child,
                        format!("unsupported complexType content <xsd:{other}>"),
                    ))
                }
            }
        }
        let (uses, any) = self.attribute_uses(node)?;
        attributes.extend(uses);
        any_attribute |= any;
        Ok(TypeDef {
            name,
            doc: documentation(node),
            at: self.source.location(node),
            kind: TypeKind::Complex(ComplexType {
                mixed,
                content,
                attributes,
                any_attribute,
            }),
            is_abstract: is_true(node.attribute("abstract")),
        })
    }

    fn attribute_uses(&self, node: Node<'_, 'i>) -> Result<(Vec<AttributeUse>, bool), Error> {
        let mut uses = Vec::new();
        let mut any = false;
        for child in self.content(node) {
            match child.tag_name().name() {
                "attribute" => uses.push(AttributeUse::Attribute(self.attribute(child, false)?)),
                "attributeGroup" => {
                    let name = self.qname_attr(child, "ref")?.ok_or_else(|| {
                        self.source
                            .error(child, "a local attributeGroup needs `ref`")
                    })?;
                    uses.push(AttributeUse::Group(name, self.source.location(child)));
                }
                "anyAttribute" => any = true,
                _ => {}
            }
        }
        Ok((uses, any))
    }

    fn attribute(&self, node: Node<'_, 'i>, global: bool) -> Result<AttributeDecl, Error> {
        let reference = self.qname_attr(node, "ref")?;
        let name = match &reference {
            Some(r) => r.local.clone(),
            None => self.source.required(node, "name")?.to_owned(),
        };
        let qualified = global
            || node
                .attribute("form")
                .map_or(self.attributes_qualified, |f| f == "qualified");
        let type_ref = match self.qname_attr(node, "type")? {
            Some(name) => Some(TypeRef::Named(name, self.source.location(node))),
            None => self
                .content(node)
                .find(|c| c.tag_name().name() == "simpleType")
                .map(|c| {
                    self.simple_type(c, false)
                        .map(|t| TypeRef::Inline(Box::new(t)))
                })
                .transpose()?,
        };
        let array_type = node
            .attributes()
            .find(|a| a.namespace() == Some(super::WSDL_NS) && a.name() == "arrayType")
            .map(|a| self.array_type(node, a.value()).map(Box::new))
            .transpose()?;
        Ok(AttributeDecl {
            name,
            ns: if qualified {
                self.target_namespace.clone()
            } else {
                String::new()
            },
            reference,
            type_ref,
            required: node.attribute("use") == Some("required"),
            prohibited: node.attribute("use") == Some("prohibited"),
            array_type,
            doc: documentation(node),
            at: self.source.location(node),
        })
    }

    /// A `wsdl:arrayType` value: the item type and the rank of each bracket group.
    fn array_type(&self, node: Node<'_, 'i>, value: &str) -> Result<ArrayType, Error> {
        let value = value.trim();
        let split = value.find('[').unwrap_or(value.len());
        let (item, brackets) = value.split_at(split);
        let mut ranks = Vec::new();
        let mut rest = brackets;
        while let Some(group) = rest.strip_prefix('[') {
            let Some(end) = group.find(']') else { break };
            // A size (`[5]`) is an instance's business; a schema gives the shape.
            ranks.push(group[..end].matches(',').count() + 1);
            rest = group[end + 1..].trim_start();
        }
        if !rest.is_empty() {
            return Err(self
                .source
                .error(node, format!("`{value}` is not a SOAP array type")));
        }
        Ok(ArrayType {
            item: self.resolve(node, item)?,
            ranks,
        })
    }

    fn element(&self, node: Node<'_, 'i>, global: bool) -> Result<ElementDecl, Error> {
        let reference = self.qname_attr(node, "ref")?;
        let name = match &reference {
            Some(r) => r.local.clone(),
            None => self.source.required(node, "name")?.to_owned(),
        };
        let qualified = global
            || node
                .attribute("form")
                .map_or(self.elements_qualified, |f| f == "qualified");
        let inline = self
            .content(node)
            .find(|c| matches!(c.tag_name().name(), "simpleType" | "complexType"));
        let type_ref = match (self.qname_attr(node, "type")?, inline) {
            (Some(name), _) => Some(TypeRef::Named(name, self.source.location(node))),
            (None, Some(inline)) if inline.tag_name().name() == "simpleType" => {
                Some(TypeRef::Inline(Box::new(self.simple_type(inline, false)?)))
            }
            (None, Some(inline)) => {
                Some(TypeRef::Inline(Box::new(self.complex_type(inline, false)?)))
            }
            (None, None) => None,
        };
        Ok(ElementDecl {
            name,
            ns: if qualified {
                self.target_namespace.clone()
            } else {
                String::new()
            },
            reference,
            type_ref,
            nillable: is_true(node.attribute("nillable")),
            substitution_group: self.qname_attr(node, "substitutionGroup")?,
            is_abstract: is_true(node.attribute("abstract")),
            doc: documentation(node),
            at: self.source.location(node),
        })
    }

    fn occurs(&self, node: Node<'_, 'i>) -> Result<(u64, Option<u64>), Error> {
        let number = |attr: &str, default: u64| -> Result<Option<u64>, Error> {
            match node.attribute(attr).map(str::trim) {
                None => Ok(Some(default)),
                Some("unbounded") if attr == "maxOccurs" => Ok(None),
                Some(text) => text.parse().map(Some).map_err(|_| {
                    self.source.error(
                        node,
                        format!("{attr}=\"{text}\" is not a non-negative integer"),
                    )
                }),
            }
        };
        let min = number("minOccurs", 1)?.unwrap_or(1);
        let max = number("maxOccurs", 1)?;
        Ok((min, max))
    }

    fn particle(&self, node: Node<'_, 'i>) -> Result<Particle, Error> {
        self.expect_xsd(node)?;
        let (min, max) = self.occurs(node)?;
        let children = |this: &Self| -> Result<Vec<Particle>, Error> {
            this.content(node).map(|c| this.particle(c)).collect()
        };
        let term = match node.tag_name().name() {
            "element" => Term::Element(Box::new(self.element(node, false)?)),
            "sequence" => Term::Sequence(children(self)?),
            "choice" => Term::Choice(children(self)?),
            "all" => Term::All(children(self)?),
            "group" => Term::Group(
                self.source
                    .qname_attr(node, "ref")?
                    .ok_or_else(|| self.source.error(node, "a local group needs `ref`"))?,
            ),
            "any" => Term::Any,
            other => {
                return Err(self.source.error(
                    node,
                    format!("unsupported content model construct <xsd:{other}>"),
                ))
            }
        };
        Ok(Particle {
            min,
            max,
            term,
            at: self.source.location(node),
        })
    }
}
