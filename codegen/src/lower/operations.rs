//! Lowering WSDL bindings: one stub per operation of every SOAP binding, with the message
//! types it needs, and the endpoints of the ports that serve it.

use std::collections::HashMap;

use super::naming::{field_name, type_name, Scope};
use super::Lowerer;
use crate::ir::{
    BindingItem, Builtin, EndpointItem, FaultVariant, Field, FieldKind, MessageItem, Occurs,
    OperationItem, StructDef, TypeExpr, TypeItem, TypeKind, XmlName,
};
use crate::read::wsdl::{
    AbstractOperation, Binding, BindingMessage, Definitions, Message, MessageRef, PortType,
    Protocol,
};
use crate::read::{Documents, QName};
use crate::{Error, Location};

/// The names the emitter gives items of its own inside a binding module.
const RESERVED: &[&str] = &["ENDPOINTS", "OPERATIONS", "Operation"];
/// The generated client's methods besides the operations'.
const CLIENT_METHODS: &[&str] = &["new", "from_ports", "with_endpoints", "soap_client"];

struct Wsdl<'d> {
    messages: HashMap<QName, &'d Message>,
    port_types: HashMap<QName, &'d PortType>,
    bindings: HashMap<QName, &'d Binding>,
}

impl<'d> Wsdl<'d> {
    fn index(documents: &'d Documents) -> Self {
        let mut wsdl = Self {
            messages: HashMap::new(),
            port_types: HashMap::new(),
            bindings: HashMap::new(),
        };
        for d in &documents.wsdls {
            let ns = &d.target_namespace;
            for m in &d.messages {
                wsdl.messages.entry(QName::new(ns, &m.name)).or_insert(m);
            }
            for p in &d.port_types {
                wsdl.port_types.entry(QName::new(ns, &p.name)).or_insert(p);
            }
            for b in &d.bindings {
                wsdl.bindings.entry(QName::new(ns, &b.name)).or_insert(b);
            }
        }
        wsdl
    }

    fn message(&self, reference: &MessageRef) -> Result<&'d Message, Error> {
        self.messages
            .get(&reference.message)
            .copied()
            .ok_or_else(|| {
                Error::new(
                    reference.at.clone(),
                    format!("message `{}` is not defined", reference.message),
                )
            })
    }
}

/// The module's doc lines: where it comes from, and what has no stubs.
pub fn module_doc(documents: &Documents) -> Vec<String> {
    let mut doc = Vec::new();
    for d in &documents.wsdls {
        doc.extend(d.doc.clone());
        for service in &d.services {
            if let Some(text) = &service.doc {
                doc.push(format!("Service `{}`: {}", service.name, text));
            }
        }
        for binding in d.bindings.iter().filter(|b| b.protocol == Protocol::Other) {
            doc.push(format!(
                "Binding `{}` is not a SOAP binding (HTTP GET/POST or MIME): it has no stubs here.",
                binding.name
            ));
        }
    }
    doc
}

/// Every SOAP binding of every WSDL read, in document order.
pub fn lower_bindings(
    lowerer: &mut Lowerer<'_>,
    documents: &Documents,
) -> Result<Vec<BindingItem>, Error> {
    let wsdl = Wsdl::index(documents);
    check_ports(documents, &wsdl)?;
    let mut modules = Scope::new();
    let mut out = Vec::new();
    for d in &documents.wsdls {
        for binding in d.bindings.iter().filter(|b| b.protocol != Protocol::Other) {
            let module = modules.claim(&field_name(&binding.name));
            out.push(lower_binding(
                lowerer, &wsdl, documents, d, binding, module,
            )?);
        }
    }
    Ok(out)
}

/// Every port must name a binding that exists.
fn check_ports(documents: &Documents, wsdl: &Wsdl<'_>) -> Result<(), Error> {
    for d in &documents.wsdls {
        for port in d.services.iter().flat_map(|s| &s.ports) {
            if !wsdl.bindings.contains_key(&port.binding) {
                return Err(Error::new(
                    port.at.clone(),
                    format!(
                        "port `{}` names binding `{}`, which is not defined",
                        port.name, port.binding
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn lower_binding(
    lowerer: &mut Lowerer<'_>,
    wsdl: &Wsdl<'_>,
    documents: &Documents,
    definitions: &Definitions,
    binding: &Binding,
    module: String,
) -> Result<BindingItem, Error> {
    let port_type = wsdl
        .port_types
        .get(&binding.port_type)
        .copied()
        .ok_or_else(|| {
            Error::new(
                binding.at.clone(),
                format!(
                    "binding `{}` names port type `{}`, which is not defined",
                    binding.name, binding.port_type
                ),
            )
        })?;
    let mut scope = Scope::with_reserved(RESERVED);
    scope.reserve(super::naming::PRELUDE_VALUES);
    let mut item = BindingItem {
        module,
        name: binding.name.clone(),
        soap12: binding.protocol == Protocol::Soap12,
        types: Vec::new(),
        operations: Vec::new(),
        endpoints: Vec::new(),
        service_trait: String::new(),
        client: String::new(),
        server: String::new(),
    };
    // Operation stubs claim their names before the helper types do, then the client and the
    // server, named after the binding as tonic names them after the service.
    let names: Vec<String> = binding
        .operations
        .iter()
        .map(|op| scope.claim(&type_name(&op.name, "Operation")))
        .collect();
    item.service_trait = scope.claim(&type_name(&binding.name, "Service"));
    item.client = scope.claim(&format!("{}Client", item.service_trait));
    item.server = scope.claim(&format!("{}Server", item.service_trait));
    let mut methods = Scope::with_reserved(CLIENT_METHODS);
    for (op, rust) in binding.operations.iter().zip(names) {
        let context = OperationContext {
            wsdl,
            definitions,
            port_type,
            binding,
        };
        match lower_operation(lowerer, &context, op, rust, &mut scope, &mut item.types) {
            Ok(mut operation) => {
                operation.method = methods.claim(&field_name(&op.name));
                let has_headers = operation.input.headers_type.is_some()
                    || operation
                        .output
                        .as_ref()
                        .is_some_and(|o| o.headers_type.is_some());
                let stem = operation.method.trim_start_matches("r#");
                operation.headers_method =
                    has_headers.then(|| methods.claim(&format!("{stem}_with_headers")));
                item.operations.push(operation);
            }
            Err(error) => lowerer.skip_or_fail(error)?,
        }
    }
    let binding_name = QName::new(&definitions.target_namespace, &binding.name);
    for d in &documents.wsdls {
        for service in &d.services {
            for port in service.ports.iter().filter(|p| p.binding == binding_name) {
                if let Some(address) = &port.address {
                    item.endpoints.push(EndpointItem {
                        service: service.name.clone(),
                        port: port.name.clone(),
                        address: address.clone(),
                    });
                }
            }
        }
    }
    Ok(item)
}

/// What an operation is lowered against.
struct OperationContext<'c, 'd> {
    wsdl: &'c Wsdl<'d>,
    definitions: &'c Definitions,
    port_type: &'c PortType,
    binding: &'c Binding,
}

fn lower_operation(
    lowerer: &mut Lowerer<'_>,
    context: &OperationContext<'_, '_>,
    op: &crate::read::wsdl::BindingOperation,
    rust: String,
    scope: &mut Scope,
    types: &mut Vec<TypeItem>,
) -> Result<OperationItem, Error> {
    let OperationContext {
        wsdl,
        definitions,
        port_type,
        binding,
    } = *context;
    let abstract_op = find_abstract(port_type, op.name.as_str(), op.input.as_ref(), &op.at)?;
    let rpc = op.rpc.unwrap_or(binding.rpc);
    let mut lower_message = |reference: Option<&MessageRef>,
                             bound: Option<&BindingMessage>,
                             output: bool|
     -> Result<Option<MessageItem>, Error> {
        let Some(reference) = reference else {
            return Ok(None);
        };
        let message = wsdl.message(reference)?;
        let suffix = if output { "Output" } else { "Input" };
        // rpc style wraps the parts in an element named after the operation.
        let wrapper = rpc.then(|| {
            let ns = bound
                .and_then(|b| b.namespace.clone())
                .unwrap_or_else(|| definitions.target_namespace.clone());
            let local = if output {
                format!("{}Response", op.name)
            } else {
                op.name.clone()
            };
            XmlName {
                ns: (!ns.is_empty()).then_some(ns),
                local,
            }
        });
        let stem = format!("{rust}{suffix}");
        lower_message(lowerer, wsdl, scope, types, message, bound, wrapper, &stem).map(Some)
    };
    let input = lower_message(abstract_op.input.as_ref(), op.input.as_ref(), false)?
        .unwrap_or_else(empty_message);
    let output = lower_message(abstract_op.output.as_ref(), op.output.as_ref(), true)?;
    let mut faults = Vec::new();
    let mut variants = Scope::new();
    for fault in &abstract_op.faults {
        let message = wsdl.message(fault)?;
        let Some(part) = message.parts.first() else {
            continue;
        };
        let (element, ty, _) = lower_part(lowerer, part)?;
        let name = fault.name.clone().unwrap_or_else(|| message.name.clone());
        faults.push(FaultVariant {
            rust: variants.claim(&type_name(&name, "Fault")),
            name,
            element,
            ty,
        });
    }
    let fault_type = (!faults.is_empty()).then(|| {
        let name = scope.claim(&format!("{rust}Fault"));
        types.push(TypeItem {
            name: name.clone(),
            doc: Some(format!("The faults `{}` declares.", op.name)),
            origin: format!("faults of operation `{}`", op.name),
            kind: TypeKind::Faults(faults.clone()),
            default: false,
        });
        name
    });
    Ok(OperationItem {
        rust,
        method: String::new(),
        headers_method: None,
        name: op.name.clone(),
        doc: abstract_op.doc.clone(),
        soap_action: op.soap_action.clone(),
        rpc,
        input,
        output,
        fault_type,
    })
}

fn empty_message() -> MessageItem {
    MessageItem {
        body_element: None,
        header_elements: Vec::new(),
        encoded: false,
        encoding_style: None,
        body_type: TypeExpr::Builtin(Builtin::Empty),
        headers_type: None,
    }
}

/// The port type's operation a binding operation implements (by name, and by input name when
/// the name is overloaded).
fn find_abstract<'p>(
    port_type: &'p PortType,
    name: &str,
    input: Option<&BindingMessage>,
    at: &Location,
) -> Result<&'p AbstractOperation, Error> {
    let mut candidates = port_type.operations.iter().filter(|o| o.name == name);
    let first = candidates.next().ok_or_else(|| {
        Error::new(
            at.clone(),
            format!(
                "operation `{name}` is not in port type `{}`",
                port_type.name
            ),
        )
    })?;
    let input_name = input.and_then(|i| i.name.as_deref());
    Ok(std::iter::once(first)
        .chain(candidates)
        .find(|o| {
            input_name.is_none() || o.input.as_ref().and_then(|i| i.name.as_deref()) == input_name
        })
        .unwrap_or(first))
}

/// A message's body and headers; the body type is the single element's type in document
/// style, or a struct of the parts.
#[allow(clippy::too_many_arguments)]
fn lower_message(
    lowerer: &mut Lowerer<'_>,
    wsdl: &Wsdl<'_>,
    scope: &mut Scope,
    types: &mut Vec<TypeItem>,
    message: &Message,
    bound: Option<&BindingMessage>,
    wrapper: Option<XmlName>,
    stem: &str,
) -> Result<MessageItem, Error> {
    let headers: Vec<_> = bound
        .map(|b| b.headers.as_slice())
        .unwrap_or_default()
        .iter()
        .collect();
    let same_message_headers: Vec<&str> = headers
        .iter()
        .filter(|h| {
            wsdl.messages
                .get(&h.message)
                .is_some_and(|m| std::ptr::eq(*m, message))
        })
        .map(|h| h.part.as_str())
        .collect();
    let selected: Vec<_> = match bound.and_then(|b| b.body_parts.as_ref()) {
        Some(names) => {
            let mut parts = Vec::new();
            for name in names {
                let part = message
                    .parts
                    .iter()
                    .find(|p| p.name == *name)
                    .ok_or_else(|| {
                        Error::new(
                            bound.map_or(message.at.clone(), |b| b.at.clone()),
                            format!("message `{}` has no part `{name}`", message.name),
                        )
                    })?;
                parts.push(part);
            }
            parts
        }
        None => message
            .parts
            .iter()
            .filter(|p| !same_message_headers.contains(&p.name.as_str()))
            .collect(),
    };
    // Whether each part is an element part (not a type part).
    let mut element_parts = Vec::new();
    let mut fields = Vec::new();
    let mut field_scope = Scope::new();
    let encoded = bound.is_some_and(|b| b.encoded);
    for part in &selected {
        let (name, ty, element) = lower_part(lowerer, part)?;
        element_parts.push(element);
        // An encoded part is an accessor that names its type; toolkits write the parts they
        // have no value for as `xsi:nil`, so each may be absent.
        let xsi_type = match (&part.type_name, encoded) {
            (Some(type_name), true) if lowerer.is_soap_array(type_name) => Some(XmlName {
                ns: Some(crate::read::SOAP_ENC_NS.to_owned()),
                local: "Array".to_owned(),
            }),
            (Some(type_name), true) => Some(XmlName::from_qname(type_name)),
            _ => None,
        };
        let occurs = if xsi_type.is_some() {
            Occurs::Optional { nil: true }
        } else {
            Occurs::Required
        };
        fields.push(Field {
            rust: field_scope.claim(&field_name(&part.name)),
            doc: None,
            kind: FieldKind::Element(name),
            ty,
            occurs,
            boxed: false,
            xsi_type,
        });
    }
    let (body_element, body_type) = match (&wrapper, element_parts.as_slice()) {
        (None, []) => (None, TypeExpr::Builtin(Builtin::Empty)),
        (None, [true]) => {
            let field = fields.remove(0);
            let FieldKind::Element(element) = field.kind else {
                unreachable!("a part is an element field")
            };
            (Some(element), field.ty)
        }
        _ => {
            let name = scope.claim(stem);
            types.push(TypeItem {
                name: name.clone(),
                doc: Some(format!("The parts of message `{}`.", message.name)),
                origin: format!("message `{}`", message.name),
                kind: TypeKind::Struct(StructDef {
                    fields,
                    ..StructDef::default()
                }),
                default: false,
            });
            (wrapper.clone(), TypeExpr::Local(name))
        }
    };
    let mut header_elements = Vec::new();
    let mut header_fields = Vec::new();
    let mut header_scope = Scope::new();
    for header in headers {
        match lower_header(lowerer, wsdl, header) {
            Ok((name, ty)) => {
                header_elements.push(name.clone());
                header_fields.push(Field {
                    rust: header_scope.claim(&field_name(&name.local)),
                    doc: None,
                    kind: FieldKind::Element(name),
                    ty,
                    occurs: Occurs::Optional { nil: false },
                    boxed: false,
                    xsi_type: None,
                });
            }
            Err(error) => lowerer.skip_or_fail(error)?,
        }
    }
    let headers_type = (!header_fields.is_empty()).then(|| {
        let name = scope.claim(&format!("{stem}Headers"));
        types.push(TypeItem {
            name: name.clone(),
            doc: Some(format!("The SOAP headers of message `{}`.", message.name)),
            origin: format!("headers of message `{}`", message.name),
            kind: TypeKind::Headers(header_fields),
            default: true,
        });
        name
    });
    Ok(MessageItem {
        body_element,
        header_elements,
        encoded: bound.is_some_and(|b| b.encoded),
        encoding_style: bound.and_then(|b| b.encoding_style.clone()),
        body_type,
        headers_type,
    })
}

/// A message part: the element it is written as (its own for an element part, one named after
/// the part for a type part), its Rust type, and whether it is an element part.
fn lower_part(
    lowerer: &Lowerer<'_>,
    part: &crate::read::wsdl::Part,
) -> Result<(XmlName, TypeExpr, bool), Error> {
    match (&part.element, &part.type_name) {
        (Some(element), _) => Ok((
            XmlName::from_qname(element),
            lowerer.element_type(element, &part.at)?,
            true,
        )),
        (None, Some(type_name)) => Ok((
            XmlName {
                ns: None,
                local: part.name.clone(),
            },
            lowerer.type_expr(type_name, &part.at)?,
            false,
        )),
        (None, None) => Err(Error::new(
            part.at.clone(),
            "a message part needs `element` or `type`",
        )),
    }
}

/// A `soap:header`: the part it names, with the element and Rust type it is written as.
fn lower_header(
    lowerer: &Lowerer<'_>,
    wsdl: &Wsdl<'_>,
    header: &crate::read::wsdl::SoapHeader,
) -> Result<(XmlName, TypeExpr), Error> {
    let message = wsdl.messages.get(&header.message).copied().ok_or_else(|| {
        Error::new(
            header.at.clone(),
            format!("message `{}` is not defined", header.message),
        )
    })?;
    let part = message
        .parts
        .iter()
        .find(|p| p.name == header.part)
        .ok_or_else(|| {
            Error::new(
                header.at.clone(),
                format!("message `{}` has no part `{}`", message.name, header.part),
            )
        })?;
    let (name, ty, _) = lower_part(lowerer, part)?;
    Ok((name, ty))
}
