//! The WSDL 1.1 model: messages, port types, bindings and services, as written.

use roxmltree::Node;

use super::{documentation, elements, is_xsd_ns, xsd, QName, Source, WSDL_NS};
use crate::{Error, Location};

const SOAP11_BINDING_NS: &str = "http://schemas.xmlsoap.org/wsdl/soap/";
const SOAP12_BINDING_NS: &str = "http://schemas.xmlsoap.org/wsdl/soap12/";

#[derive(Debug, Clone)]
pub struct Definitions {
    pub target_namespace: String,
    pub doc: Option<String>,
    pub imports: Vec<WsdlImport>,
    pub schemas: Vec<xsd::Schema>,
    pub messages: Vec<Message>,
    pub port_types: Vec<PortType>,
    pub bindings: Vec<Binding>,
    pub services: Vec<Service>,
}

#[derive(Debug, Clone)]
pub struct WsdlImport {
    pub location: String,
    pub at: Location,
}

#[derive(Debug, Clone)]
pub struct Message {
    pub name: String,
    pub parts: Vec<Part>,
    pub at: Location,
}

#[derive(Debug, Clone)]
pub struct Part {
    pub name: String,
    pub element: Option<QName>,
    pub type_name: Option<QName>,
    pub at: Location,
}

#[derive(Debug, Clone)]
pub struct PortType {
    pub name: String,
    pub operations: Vec<AbstractOperation>,
}

#[derive(Debug, Clone)]
pub struct AbstractOperation {
    pub name: String,
    pub doc: Option<String>,
    pub input: Option<MessageRef>,
    pub output: Option<MessageRef>,
    pub faults: Vec<MessageRef>,
}

#[derive(Debug, Clone)]
pub struct MessageRef {
    pub name: Option<String>,
    pub message: QName,
    pub at: Location,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Soap11,
    Soap12,
    /// HTTP GET/POST, MIME-only and other non-SOAP bindings.
    Other,
}

#[derive(Debug, Clone)]
pub struct Binding {
    pub name: String,
    pub port_type: QName,
    pub protocol: Protocol,
    /// The binding's default style (`rpc` when it says so; document otherwise).
    pub rpc: bool,
    pub operations: Vec<BindingOperation>,
    pub at: Location,
}

#[derive(Debug, Clone)]
pub struct BindingOperation {
    pub name: String,
    pub soap_action: String,
    /// The operation's own style, when it gives one.
    pub rpc: Option<bool>,
    pub input: Option<BindingMessage>,
    pub output: Option<BindingMessage>,
    pub at: Location,
}

#[derive(Debug, Clone)]
pub struct BindingMessage {
    pub name: Option<String>,
    /// `soap:body parts="..."`: which parts go in the body (`None`: all that are not headers).
    pub body_parts: Option<Vec<String>>,
    pub encoded: bool,
    pub namespace: Option<String>,
    pub encoding_style: Option<String>,
    pub headers: Vec<SoapHeader>,
    pub at: Location,
}

#[derive(Debug, Clone)]
pub struct SoapHeader {
    pub message: QName,
    pub part: String,
    pub at: Location,
}

#[derive(Debug, Clone)]
pub struct Service {
    pub name: String,
    pub doc: Option<String>,
    pub ports: Vec<Port>,
}

#[derive(Debug, Clone)]
pub struct Port {
    pub name: String,
    pub binding: QName,
    pub address: Option<String>,
    pub at: Location,
}

/// Reads a `wsdl:definitions` element.
pub fn read(source: &Source<'_>, node: Node<'_, '_>) -> Result<Definitions, Error> {
    let mut definitions = Definitions {
        target_namespace: node.attribute("targetNamespace").unwrap_or("").to_owned(),
        doc: documentation(node),
        imports: Vec::new(),
        schemas: Vec::new(),
        messages: Vec::new(),
        port_types: Vec::new(),
        bindings: Vec::new(),
        services: Vec::new(),
    };
    for child in elements(node) {
        if child.tag_name().namespace() != Some(WSDL_NS) {
            continue; // extensibility elements (policies and the like) do not shape the code
        }
        match child.tag_name().name() {
            "import" => match child.attribute("location") {
                Some(location) => definitions.imports.push(WsdlImport {
                    location: location.to_owned(),
                    at: source.location(child),
                }),
                None => return Err(source.error(child, "wsdl:import needs a `location`")),
            },
            "types" => {
                for schema in elements(child) {
                    if schema.tag_name().name() == "schema"
                        && schema.tag_name().namespace().is_some_and(is_xsd_ns)
                    {
                        definitions
                            .schemas
                            .push(xsd::read_schema(source, schema, None)?);
                    }
                }
            }
            "message" => definitions.messages.push(read_message(source, child)?),
            "portType" => definitions.port_types.push(read_port_type(source, child)?),
            "binding" => definitions.bindings.push(read_binding(source, child)?),
            "service" => definitions.services.push(read_service(source, child)?),
            "documentation" => {}
            other => {
                return Err(source.error(child, format!("unsupported WSDL element <wsdl:{other}>")))
            }
        }
    }
    Ok(definitions)
}

fn wsdl_children<'a, 'i>(
    node: Node<'a, 'i>,
    name: &'static str,
) -> impl Iterator<Item = Node<'a, 'i>> {
    elements(node)
        .filter(move |c| c.tag_name().namespace() == Some(WSDL_NS) && c.tag_name().name() == name)
}

fn read_message(source: &Source<'_>, node: Node<'_, '_>) -> Result<Message, Error> {
    let mut parts = Vec::new();
    for part in wsdl_children(node, "part") {
        let element = source.qname_attr(part, "element")?;
        let type_name = source.qname_attr(part, "type")?;
        if element.is_none() && type_name.is_none() {
            return Err(source.error(part, "a message part needs `element` or `type`"));
        }
        parts.push(Part {
            name: source.required(part, "name")?.to_owned(),
            element,
            type_name,
            at: source.location(part),
        });
    }
    Ok(Message {
        name: source.required(node, "name")?.to_owned(),
        parts,
        at: source.location(node),
    })
}

fn read_port_type(source: &Source<'_>, node: Node<'_, '_>) -> Result<PortType, Error> {
    let mut operations = Vec::new();
    for op in wsdl_children(node, "operation") {
        let reference = |io: Node<'_, '_>| -> Result<MessageRef, Error> {
            let message = source
                .qname_attr(io, "message")?
                .ok_or_else(|| source.error(io, "needs a `message`"))?;
            Ok(MessageRef {
                name: io.attribute("name").map(str::to_owned),
                message,
                at: source.location(io),
            })
        };
        operations.push(AbstractOperation {
            name: source.required(op, "name")?.to_owned(),
            doc: documentation(op),
            input: wsdl_children(op, "input")
                .next()
                .map(reference)
                .transpose()?,
            output: wsdl_children(op, "output")
                .next()
                .map(reference)
                .transpose()?,
            faults: wsdl_children(op, "fault")
                .map(reference)
                .collect::<Result<_, _>>()?,
        });
    }
    Ok(PortType {
        name: source.required(node, "name")?.to_owned(),
        operations,
    })
}

/// The SOAP extension element named `name` among `node`'s children, in either SOAP version.
fn soap_child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    elements(node).find(|c| {
        matches!(
            c.tag_name().namespace(),
            Some(SOAP11_BINDING_NS | SOAP12_BINDING_NS)
        ) && c.tag_name().name() == name
    })
}

fn is_rpc(source: &Source<'_>, node: Node<'_, '_>) -> Result<Option<bool>, Error> {
    match node.attribute("style") {
        None => Ok(None),
        Some("rpc") => Ok(Some(true)),
        Some("document") => Ok(Some(false)),
        Some(other) => Err(source.error(
            node,
            format!("unknown SOAP style \"{other}\" (expected rpc or document)"),
        )),
    }
}

fn read_binding(source: &Source<'_>, node: Node<'_, '_>) -> Result<Binding, Error> {
    let soap = soap_child(node, "binding");
    let protocol = match soap.and_then(|s| s.tag_name().namespace()) {
        Some(SOAP11_BINDING_NS) => Protocol::Soap11,
        Some(_) => Protocol::Soap12,
        None => Protocol::Other,
    };
    let rpc = match soap {
        Some(soap) => is_rpc(source, soap)?.unwrap_or(false),
        None => false,
    };
    let mut operations = Vec::new();
    if protocol != Protocol::Other {
        for op in wsdl_children(node, "operation") {
            let soap_op = soap_child(op, "operation");
            operations.push(BindingOperation {
                name: source.required(op, "name")?.to_owned(),
                soap_action: soap_op
                    .and_then(|s| s.attribute("soapAction"))
                    .unwrap_or("")
                    .to_owned(),
                rpc: soap_op.map(|s| is_rpc(source, s)).transpose()?.flatten(),
                input: wsdl_children(op, "input")
                    .next()
                    .map(|io| read_binding_message(source, io))
                    .transpose()?,
                output: wsdl_children(op, "output")
                    .next()
                    .map(|io| read_binding_message(source, io))
                    .transpose()?,
                at: source.location(op),
            });
        }
    }
    Ok(Binding {
        name: source.required(node, "name")?.to_owned(),
        port_type: source
            .qname_attr(node, "type")?
            .ok_or_else(|| source.error(node, "wsdl:binding needs a `type`"))?,
        protocol,
        rpc,
        operations,
        at: source.location(node),
    })
}

fn read_binding_message(source: &Source<'_>, node: Node<'_, '_>) -> Result<BindingMessage, Error> {
    let body = soap_child(node, "body");
    let encoded = |n: Node<'_, '_>| -> Result<bool, Error> {
        match n.attribute("use") {
            None | Some("literal") => Ok(false),
            Some("encoded") => Ok(true),
            Some(other) => Err(source.error(
                n,
                format!("unknown use \"{other}\" (expected literal or encoded)"),
            )),
        }
    };
    let mut headers = Vec::new();
    let soap_headers = elements(node).filter(|c| {
        matches!(
            c.tag_name().namespace(),
            Some(SOAP11_BINDING_NS | SOAP12_BINDING_NS)
        ) && c.tag_name().name() == "header"
    });
    for header in soap_headers {
        headers.push(SoapHeader {
            message: source
                .qname_attr(header, "message")?
                .ok_or_else(|| source.error(header, "soap:header needs a `message`"))?,
            part: source.required(header, "part")?.to_owned(),
            at: source.location(header),
        });
    }
    Ok(BindingMessage {
        name: node.attribute("name").map(str::to_owned),
        body_parts: body
            .and_then(|b| b.attribute("parts"))
            .map(|p| p.split_whitespace().map(str::to_owned).collect()),
        encoded: body.map(encoded).transpose()?.unwrap_or(false),
        namespace: body
            .and_then(|b| b.attribute("namespace"))
            .map(str::to_owned),
        encoding_style: body
            .and_then(|b| b.attribute("encodingStyle"))
            .map(str::to_owned),
        headers,
        at: source.location(node),
    })
}

fn read_service(source: &Source<'_>, node: Node<'_, '_>) -> Result<Service, Error> {
    let mut ports = Vec::new();
    for port in wsdl_children(node, "port") {
        ports.push(Port {
            name: source.required(port, "name")?.to_owned(),
            binding: source
                .qname_attr(port, "binding")?
                .ok_or_else(|| source.error(port, "wsdl:port needs a `binding`"))?,
            address: elements(port)
                .find(|c| c.tag_name().name() == "address")
                .and_then(|a| a.attribute("location"))
                .map(str::to_owned),
            at: source.location(port),
        });
    }
    Ok(Service {
        name: source.required(node, "name")?.to_owned(),
        doc: documentation(node),
        ports,
    })
}
