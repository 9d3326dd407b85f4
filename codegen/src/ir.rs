//! Stage 2's output: a language-neutral description of the module to write.
//!
//! Names here are already Rust identifiers, unique in their scope; every XML fact the emitter
//! needs (element names, namespaces, occurrences) is spelled out, so emitting is a walk with no
//! decisions about XML Schema left in it.

use crate::read::QName;

/// The whole generated module.
#[derive(Debug, Default)]
pub struct Module {
    /// Lines for the module's doc comment.
    pub doc: Vec<String>,
    pub types: Vec<TypeItem>,
    pub bindings: Vec<BindingItem>,
}

#[derive(Debug, Clone)]
pub struct TypeItem {
    pub name: String,
    pub doc: Option<String>,
    /// Where the type comes from, e.g. "complexType `Recipient` in `urn:x`".
    pub origin: String,
    pub kind: TypeKind,
    /// Whether every field has a default, so `Default` can be derived.
    pub default: bool,
}

#[derive(Debug, Clone)]
pub enum TypeKind {
    Struct(StructDef),
    /// A simple type with an enumeration.
    Enum(Vec<EnumVariant>),
    /// The alternatives of an `xsd:choice`, or the members of a substitution group: a group
    /// of elements that reads itself from its parent's children.
    Choice(Vec<ChoiceVariant>),
    /// One occurrence of a sequence that repeats as a whole (or is an alternative of a
    /// choice): its elements, read in order, so that repetitions keep their interleaving.
    Sequence(Vec<Field>),
    /// A base type and the types derived from it, told apart by `xsi:type`.
    Derived(DerivedSet),
    /// The pieces of mixed content: runs of text, and the elements.
    Mixed(Vec<ChoiceVariant>),
    /// A simple type restricted by facets that can be checked.
    Newtype {
        inner: TypeExpr,
        facets: Vec<FacetCheck>,
        notes: Vec<String>,
    },
    /// Another name for a type (a restriction without checkable facets, a list, a union).
    Alias(TypeExpr),
    /// The headers of a message.
    Headers(Vec<Field>),
    /// The declared faults of an operation.
    Faults(Vec<FaultVariant>),
}

#[derive(Debug, Clone, Default)]
pub struct StructDef {
    pub attributes: Vec<AttributeField>,
    pub fields: Vec<Field>,
    /// The text value of a type with simple content.
    pub text: Option<TypeExpr>,
    /// Whether `xsd:anyAttribute` allows other attributes.
    pub any_attribute: bool,
    /// The Rust names of the text value and of the other attributes, when there are any.
    pub text_rust: String,
    pub any_attributes_rust: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlName {
    /// `None` for an unqualified name.
    pub ns: Option<String>,
    pub local: String,
}

impl XmlName {
    pub fn from_qname(name: &QName) -> Self {
        Self {
            ns: (!name.ns.is_empty()).then(|| name.ns.clone()),
            local: name.local.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Field {
    pub rust: String,
    pub doc: Option<String>,
    pub kind: FieldKind,
    pub ty: TypeExpr,
    pub occurs: Occurs,
    /// Boxed to break a cycle of types.
    pub boxed: bool,
    /// Written as a SOAP-encoded accessor with this `xsi:type` (a part of an encoded message).
    pub xsi_type: Option<XmlName>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKind {
    /// A child element with this name.
    Element(XmlName),
    /// A group of elements that reads itself (`ty` is a [`TypeKind::Choice`] or
    /// [`TypeKind::Sequence`] type); `first` is the local name of an element it begins with,
    /// for the error when a required one is missing.
    Group { first: String },
    /// Elements matched by `xsd:any`: kept as written.
    Any,
    /// The items of a SOAP-encoded array: any element name is read; `name` is written, each
    /// item with `xsi:type` = `item_type` when the schema names it. The items of an array of
    /// arrays are arrays themselves (`item_ranks` is how the item type's own ranks are
    /// written, `[]` or `[,]`); a two-dimensional array's items are rows (`rows`).
    ArrayItems {
        name: XmlName,
        item_type: Option<XmlName>,
        item_ranks: String,
        rows: bool,
    },
    /// The whole content of a mixed type, in order: `ty` is a [`TypeKind::Mixed`] type.
    Mixed,
}

impl Field {
    /// The field of the elements `xsd:any` lets in.
    pub fn any() -> Self {
        Self {
            rust: "any".into(),
            doc: None,
            kind: FieldKind::Any,
            ty: TypeExpr::Builtin(Builtin::Empty),
            occurs: Occurs::Many,
            boxed: false,
            xsi_type: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occurs {
    Required,
    /// Optional; when absent, either left out or written as `xsi:nil`.
    Optional {
        nil: bool,
    },
    /// Optional and nillable: absent, nil or a value (`soap_runtime::Nillable`).
    OptionalNillable,
    Many,
    /// Repeated, with `xsi:nil` items.
    ManyNillable,
}

#[derive(Debug, Clone)]
pub struct AttributeField {
    pub rust: String,
    pub doc: Option<String>,
    pub name: XmlName,
    pub ty: TypeExpr,
    pub required: bool,
}

#[derive(Debug, Clone)]
pub struct EnumVariant {
    pub rust: String,
    pub value: String,
    pub doc: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ChoiceVariant {
    pub rust: String,
    pub doc: Option<String>,
    pub kind: VariantKind,
    pub ty: TypeExpr,
    /// Consecutive occurrences held together (`Vec`).
    pub many: bool,
    pub boxed: bool,
}

impl ChoiceVariant {
    /// The alternative of the elements `xsd:any` lets in.
    pub fn any(rust: String) -> Self {
        Self {
            rust,
            doc: None,
            kind: VariantKind::Any,
            ty: TypeExpr::Builtin(Builtin::Empty),
            many: false,
            boxed: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VariantKind {
    /// An element with this name.
    Element(XmlName),
    /// A group that reads itself (`ty` is a [`TypeKind::Choice`] or [`TypeKind::Sequence`]).
    Group,
    /// An element matched by `xsd:any`, kept as written.
    Any,
    /// A run of text (in mixed content).
    Text,
}

/// A base type and the types derived from it.
#[derive(Debug, Clone)]
pub struct DerivedSet {
    /// The base's XML name, for errors.
    pub base_xml: String,
    /// The base (unless abstract) first, then every type derived from it, directly or not.
    pub variants: Vec<DerivedVariant>,
}

#[derive(Debug, Clone)]
pub struct DerivedVariant {
    pub rust: String,
    /// The struct the variant holds (boxed).
    pub ty: String,
    /// The type's name, as `xsi:type` names it; `None` for the base itself.
    pub xsi_type: Option<XmlName>,
}

#[derive(Debug, Clone)]
pub struct FaultVariant {
    pub rust: String,
    pub name: String,
    pub element: XmlName,
    pub ty: TypeExpr,
}

/// A facet the generated constructor checks.
#[derive(Debug, Clone)]
pub enum FacetCheck {
    MinLength(u64),
    MaxLength(u64),
    Length(u64),
    /// A numeric bound; `literal` is the schema's value, valid as a Rust literal of the type.
    Bound {
        facet: &'static str,
        literal: String,
    },
}

/// A Rust type, as the emitter will spell it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TypeExpr {
    Builtin(Builtin),
    /// A type of this module (top level).
    Named(String),
    /// A type generated inside the current binding module.
    Local(String),
    List(Box<TypeExpr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Builtin {
    String,
    Bool,
    I8,
    I16,
    I32,
    I64,
    I128,
    U8,
    U16,
    U32,
    U64,
    U128,
    F32,
    F64,
    QName,
    Decimal,
    DateTime,
    Date,
    Time,
    HexBinary,
    Base64Binary,
    AnyContent,
    Empty,
}

impl Builtin {
    /// Whether the type has a `Default` (the lexical newtypes have none: "" is not a date).
    pub fn has_default(self) -> bool {
        !matches!(
            self,
            Self::Decimal | Self::DateTime | Self::Date | Self::Time | Self::QName
        )
    }

    /// Whether numeric facets (`minInclusive` …) can be checked with Rust comparisons.
    pub fn is_number(self) -> bool {
        matches!(
            self,
            Self::I8
                | Self::I16
                | Self::I32
                | Self::I64
                | Self::I128
                | Self::U8
                | Self::U16
                | Self::U32
                | Self::U64
                | Self::U128
                | Self::F32
                | Self::F64
        )
    }

    /// Whether length facets apply (strings, binary).
    pub fn has_length(self) -> bool {
        matches!(self, Self::String | Self::HexBinary | Self::Base64Binary)
    }
}

/// One SOAP binding: its operations, the types they alone need, and its endpoints.
#[derive(Debug, Clone)]
pub struct BindingItem {
    pub module: String,
    pub name: String,
    pub soap12: bool,
    pub types: Vec<TypeItem>,
    pub operations: Vec<OperationItem>,
    pub endpoints: Vec<EndpointItem>,
    /// The Rust names of the server trait, the client and the server's dispatcher.
    pub service_trait: String,
    pub client: String,
    pub server: String,
}

#[derive(Debug, Clone)]
pub struct OperationItem {
    /// The operation's unit struct.
    pub rust: String,
    /// The client's and the server trait's method.
    pub method: String,
    /// The client's method that takes and returns SOAP headers, when the operation declares
    /// any.
    pub headers_method: Option<String>,
    pub name: String,
    pub doc: Option<String>,
    pub soap_action: String,
    pub rpc: bool,
    pub input: MessageItem,
    pub output: Option<MessageItem>,
    pub fault_type: Option<String>,
}

#[derive(Debug, Clone)]
pub struct MessageItem {
    pub body_element: Option<XmlName>,
    /// The element each header is written as, in the message's order: what a server of the
    /// message understands.
    pub header_elements: Vec<XmlName>,
    pub encoded: bool,
    pub encoding_style: Option<String>,
    pub body_type: TypeExpr,
    pub headers_type: Option<String>,
}

#[derive(Debug, Clone)]
pub struct EndpointItem {
    pub service: String,
    pub port: String,
    pub address: String,
}
