//! The XML Schema built-in types (and their SOAP-encoding twins) as Rust types.

use crate::ir::Builtin;

/// The Rust form of the built-in type `local` of the XML Schema namespace, or `None` if XML
/// Schema defines no such type.
pub fn builtin(local: &str) -> Option<Builtin> {
    use Builtin::*;
    Some(match local {
        "string" | "normalizedString" | "token" | "language" | "Name" | "NCName" | "NMTOKEN"
        | "ID" | "IDREF" | "ENTITY" | "anyURI" | "NOTATION" | "duration" | "gYear"
        | "gYearMonth" | "gMonth" | "gMonthDay" | "gDay" | "anySimpleType" => String,
        "QName" => QName,
        "boolean" => Bool,
        "byte" => I8,
        "short" => I16,
        "int" => I32,
        "long" => I64,
        "integer" | "nonPositiveInteger" | "negativeInteger" => I128,
        "unsignedByte" => U8,
        "unsignedShort" => U16,
        "unsignedInt" => U32,
        "unsignedLong" => U64,
        "nonNegativeInteger" | "positiveInteger" => U128,
        "float" => F32,
        "double" => F64,
        "decimal" => Decimal,
        "dateTime" => DateTime,
        "date" => Date,
        "time" => Time,
        "hexBinary" => HexBinary,
        "base64Binary" | "base64" => Base64Binary,
        "anyType" => AnyContent,
        _ => return None,
    })
}

/// The built-in list types: `NMTOKENS`, `IDREFS`, `ENTITIES` are lists of strings.
pub fn builtin_list(local: &str) -> bool {
    matches!(local, "NMTOKENS" | "IDREFS" | "ENTITIES")
}
