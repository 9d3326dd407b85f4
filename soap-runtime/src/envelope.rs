//! SOAP envelopes: writing a request or response around a generated body, and reading one
//! back, with a SOAP Fault turned into a typed error.
//!
//! Reading is lenient where servers differ: any prefix, either SOAP version's namespace,
//! `encodingStyle` and `xsi:type` attributes anywhere, unknown headers. The body's element must
//! be the one the operation names.

use crate::read::{Element, ReadError, ReadErrorKind, XmlReader};
use crate::soap::{FaultDetail, Headers, MessageInfo, Operation, SoapVersion};
use crate::{AnyElement, QName, XmlValue, XmlWriter};

const SOAP11_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const SOAP12_NS: &str = "http://www.w3.org/2003/05/soap-envelope";

/// Writes `<?xml …?><soap:Envelope><soap:Header>…</soap:Header><soap:Body>…</soap:Body>`
/// for one direction of an operation.
pub fn write_envelope<B: XmlValue, H: Headers>(
    version: SoapVersion,
    message: &MessageInfo,
    headers: &H,
    body: &B,
) -> String {
    let mut w = XmlWriter::with_capacity(1024);
    w.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    let ns = version.envelope_namespace();
    let envelope = QName::qualified(ns, "Envelope");
    w.start_declaring(&envelope, "soap");
    if message.body_use == crate::BodyUse::Encoded {
        // Every accessor of an encoded body names its type: declare the prefixes once.
        w.declare("xsi", crate::XSI_NS);
        w.declare("xsd", crate::XSD_NS);
        w.declare("SOAP-ENC", crate::write::SOAP_ENC_NS);
    }
    w.close_start();
    let envelope_content = w.as_str().len();
    if !headers.is_empty() {
        let header = QName::qualified(ns, "Header");
        w.start(&header);
        w.close_start();
        let header_content = w.as_str().len();
        headers.write_headers(&mut w);
        w.end(&header, header_content);
    }
    let body_name = QName::qualified(ns, "Body");
    w.start(&body_name);
    if let Some(style) = message.encoding_style {
        w.attribute(QName::qualified(ns, "encodingStyle"), &style.to_owned());
    }
    w.close_start();
    let body_content = w.as_str().len();
    match message.body_element {
        Some(name) => w.element(name, body),
        None => body.write_content(&mut w),
    }
    w.end(&body_name, body_content);
    w.end(&envelope, envelope_content);
    w.into_string()
}

/// Writes an operation's request envelope.
pub fn write_request<O: Operation>(input: &O::Input, headers: &O::InputHeaders) -> String {
    write_envelope(O::INFO.version, &O::INFO.input, headers, input)
}

/// Writes an operation's response envelope (for a server, such as a simulator).
pub fn write_response<O: Operation>(output: &O::Output, headers: &O::OutputHeaders) -> String {
    match &O::INFO.output {
        Some(message) => write_envelope(O::INFO.version, message, headers, output),
        None => write_envelope(O::INFO.version, &MessageInfo::EMPTY, headers, output),
    }
}

/// The class of a SOAP Fault: who is to blame, in the words of both SOAP versions.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FaultCode {
    /// The envelope is of a SOAP version the receiver does not speak.
    VersionMismatch,
    /// A header marked `mustUnderstand` was not understood.
    MustUnderstand,
    /// The body uses an encoding the receiver does not know (SOAP 1.2).
    DataEncodingUnknown,
    /// The message was wrong: `Client` in SOAP 1.1, `Sender` in SOAP 1.2.
    Client,
    /// The receiver failed: `Server` in SOAP 1.1, `Receiver` in SOAP 1.2.
    Server,
    /// Any other code, as written (a toolkit's own, such as `soap:Server.userException`).
    Other(String),
}

impl FaultCode {
    /// The code as read from `faultcode` (1.1) or `Code/Value` (1.2): the prefix is dropped
    /// for the standard codes, whatever it was bound to; any other code is kept as written.
    pub fn from_wire(text: &str) -> Self {
        let text = text.trim();
        let local = text.rsplit_once(':').map_or(text, |(_, local)| local);
        match local {
            "VersionMismatch" => Self::VersionMismatch,
            "MustUnderstand" => Self::MustUnderstand,
            "DataEncodingUnknown" => Self::DataEncodingUnknown,
            "Client" | "Sender" => Self::Client,
            "Server" | "Receiver" => Self::Server,
            _ => Self::Other(text.to_owned()),
        }
    }

    /// The code as written in a fault of `version`, with the `soap` prefix the fault writer
    /// binds to the envelope namespace.
    pub fn to_wire(&self, version: SoapVersion) -> std::borrow::Cow<'_, str> {
        let local = match (self, version) {
            (Self::VersionMismatch, _) => "VersionMismatch",
            (Self::MustUnderstand, _) => "MustUnderstand",
            (Self::DataEncodingUnknown, _) => "DataEncodingUnknown",
            (Self::Client, SoapVersion::Soap11) => "Client",
            (Self::Client, SoapVersion::Soap12) => "Sender",
            (Self::Server, SoapVersion::Soap11) => "Server",
            (Self::Server, SoapVersion::Soap12) => "Receiver",
            (Self::Other(text), _) => return std::borrow::Cow::Borrowed(text),
        };
        std::borrow::Cow::Owned(format!("soap:{local}"))
    }
}

impl std::fmt::Display for FaultCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Other(text) => f.write_str(text),
            standard => f.write_str(&standard.to_wire(SoapVersion::Soap11)),
        }
    }
}

/// A SOAP Fault, with its detail read as the operation's declared fault when it is one.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("SOAP fault {code}: {reason}")]
#[non_exhaustive]
pub struct Fault<D> {
    /// `faultcode` (1.1) or `Code/Value` (1.2).
    pub code: FaultCode,
    /// `faultstring` (1.1) or the first `Reason/Text` (1.2).
    pub reason: String,
    /// `faultactor` (1.1) or `Role` (1.2).
    pub actor: Option<String>,
    /// The detail, when it holds a fault the operation declares.
    pub detail: Option<D>,
    /// The detail's elements as written, whatever they are (on reading); elements written
    /// after `detail` (on writing).
    pub raw_detail: Vec<AnyElement>,
}

impl<D> Fault<D> {
    /// A fault of class `code`, saying `reason`, without detail.
    pub fn new(code: FaultCode, reason: impl Into<String>) -> Self {
        Self {
            code,
            reason: reason.into(),
            actor: None,
            detail: None,
            raw_detail: Vec::new(),
        }
    }

    /// A fault that blames the request (`Client` / `Sender`).
    pub fn client(reason: impl Into<String>) -> Self {
        Self::new(FaultCode::Client, reason)
    }

    /// A fault that blames the server (`Server` / `Receiver`).
    pub fn server(reason: impl Into<String>) -> Self {
        Self::new(FaultCode::Server, reason)
    }

    /// The same fault, carrying one of the operation's declared fault details.
    pub fn with_detail(mut self, detail: D) -> Self {
        self.detail = Some(detail);
        self
    }

    /// The same fault, naming the actor (1.1) or role (1.2) that raised it.
    pub fn with_actor(mut self, actor: impl Into<String>) -> Self {
        self.actor = Some(actor.into());
        self
    }

    /// The same fault with a detail of another type: for passing a fault on to a caller
    /// whose operation declares other faults. The typed detail is dropped; the raw detail
    /// is kept.
    pub fn without_detail<E>(self) -> Fault<E> {
        Fault {
            code: self.code,
            reason: self.reason,
            actor: self.actor,
            detail: None,
            raw_detail: self.raw_detail,
        }
    }
}

/// Writes a SOAP Fault envelope.
pub fn write_fault<D: FaultDetail>(version: SoapVersion, fault: &Fault<D>) -> String {
    let ns = version.envelope_namespace();
    let mut w = XmlWriter::with_capacity(512);
    w.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    w.raw(&format!(
        "<soap:Envelope xmlns:soap=\"{ns}\"><soap:Body><soap:Fault>"
    ));
    let detail = |w: &mut XmlWriter| {
        if let Some(detail) = &fault.detail {
            detail.write_detail(w);
        }
        w.any_elements(&fault.raw_detail);
    };
    match version {
        SoapVersion::Soap11 => {
            w.element("faultcode", &fault.code.to_wire(version).into_owned());
            w.element("faultstring", &fault.reason);
            w.optional("faultactor", fault.actor.as_ref());
            if fault.detail.is_some() || !fault.raw_detail.is_empty() {
                w.raw("<detail>");
                detail(&mut w);
                w.raw("</detail>");
            }
        }
        SoapVersion::Soap12 => {
            w.raw("<soap:Code><soap:Value>");
            w.simple(&fault.code.to_wire(version).into_owned());
            w.raw("</soap:Value></soap:Code><soap:Reason><soap:Text xml:lang=\"en\">");
            w.simple(&fault.reason);
            w.raw("</soap:Text></soap:Reason>");
            if let Some(actor) = &fault.actor {
                w.raw("<soap:Role>");
                w.simple(actor);
                w.raw("</soap:Role>");
            }
            if fault.detail.is_some() || !fault.raw_detail.is_empty() {
                w.raw("<soap:Detail>");
                detail(&mut w);
                w.raw("</soap:Detail>");
            }
        }
    }
    w.raw("</soap:Fault></soap:Body></soap:Envelope>");
    w.into_string()
}

/// Why a SOAP response could not be turned into the operation's output.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum EnvelopeError<D> {
    /// The server answered with a SOAP Fault.
    #[error(transparent)]
    Fault(Fault<D>),
    /// The message is not a SOAP envelope holding the expected body.
    #[error("invalid SOAP message: {0}")]
    Read(#[from] ReadError),
}

/// A message read from an envelope: its headers and body.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Received<H, B> {
    /// The SOAP version the envelope used.
    pub version: SoapVersion,
    /// The headers.
    pub headers: H,
    /// The body.
    pub body: B,
}

/// An operation's response as read: headers and body.
pub type ResponseMessage<O> = Received<<O as Operation>::OutputHeaders, <O as Operation>::Output>;
/// An operation's request as read: headers and body.
pub type RequestMessage<O> = Received<<O as Operation>::InputHeaders, <O as Operation>::Input>;

/// Reads an operation's response envelope.
pub fn read_response<O: Operation>(
    xml: &str,
) -> Result<ResponseMessage<O>, EnvelopeError<O::Fault>> {
    read_envelope(xml, O::INFO.output.as_ref().unwrap_or(&MessageInfo::EMPTY))
}

/// Reads an operation's request envelope (for a server, such as a simulator).
pub fn read_request<O: Operation>(xml: &str) -> Result<RequestMessage<O>, EnvelopeError<O::Fault>> {
    read_envelope(xml, &O::INFO.input)
}

/// The operation-independent part of reading: envelope, header, body, fault.
pub fn read_envelope<H: Headers, B: XmlValue, D: FaultDetail>(
    xml: &str,
    message: &MessageInfo,
) -> Result<Received<H, B>, EnvelopeError<D>> {
    // Multi-references belong to SOAP encoding; a literal body has none (WS-I forbids them),
    // so only an encoded one is searched for them.
    let resolved = match message.body_use {
        crate::BodyUse::Encoded => crate::multiref::resolve(xml)?,
        crate::BodyUse::Literal => std::borrow::Cow::Borrowed(xml),
    };
    let mut reader = XmlReader::new(&resolved);
    // SOAP 1.1 and 1.2 forbid a DTD in a message: refusing one also rules out entity tricks
    // for every server and client built on this runtime.
    let mut envelope = reader.root_with(false)?;
    let version = match (envelope.local_name(), envelope.namespace().as_deref()) {
        ("Envelope", Some(SOAP11_NS)) => SoapVersion::Soap11,
        ("Envelope", Some(SOAP12_NS)) => SoapVersion::Soap12,
        (local, ns) => {
            return Err(EnvelopeError::Read(envelope.error(
                ReadErrorKind::UnexpectedElement {
                    expected: "Envelope (SOAP 1.1 or 1.2)".into(),
                    found: match ns {
                        Some(ns) => format!("{local} in {ns}"),
                        None => local.to_owned(),
                    },
                },
            )))
        }
    };
    let mut headers = None;
    while let Some(child) = envelope.next_child()? {
        match child.local_name() {
            "Header" => headers = Some(H::read_headers(child)?),
            "Body" => {
                let body = read_body::<B, D>(child, message, version)?;
                return Ok(Received {
                    version,
                    headers: headers.unwrap_or_default(),
                    body,
                });
            }
            _ => {}
        }
    }
    Err(EnvelopeError::Read(envelope.missing("Body")))
}

fn read_body<B: XmlValue, D: FaultDetail>(
    mut body: Element<'_, '_>,
    message: &MessageInfo,
    version: SoapVersion,
) -> Result<B, EnvelopeError<D>> {
    let Some(expected) = message.body_element else {
        return Ok(B::read(body)?);
    };
    let Some(child) = body.next_child()? else {
        return Err(EnvelopeError::Read(body.missing(expected.local)));
    };
    if child.local_name() == "Fault"
        && child.namespace().as_deref() == Some(version.envelope_namespace())
    {
        return Err(EnvelopeError::Fault(read_fault(child, version)?));
    }
    if child.local_name() != expected.local {
        return Err(EnvelopeError::Read(child.error(
            ReadErrorKind::UnexpectedElement {
                expected: expected.local.to_owned(),
                found: child.local_name().to_owned(),
            },
        )));
    }
    Ok(B::read(child)?)
}

fn read_fault<D: FaultDetail>(
    mut fault: Element<'_, '_>,
    version: SoapVersion,
) -> Result<Fault<D>, ReadError> {
    let mut out = Fault::new(FaultCode::Other(String::new()), String::new());
    while let Some(mut child) = fault.next_child()? {
        match (version, child.local_name()) {
            (SoapVersion::Soap11, "faultcode") => out.code = FaultCode::from_wire(&child.text()?),
            (SoapVersion::Soap11, "faultstring") => out.reason = child.text()?.into_owned(),
            (SoapVersion::Soap11, "faultactor") => out.actor = Some(child.text()?.into_owned()),
            (SoapVersion::Soap12, "Code") => {
                while let Some(value) = child.next_child()? {
                    if value.local_name() == "Value" {
                        out.code = FaultCode::from_wire(&value.text()?);
                        break;
                    }
                }
            }
            (SoapVersion::Soap12, "Reason") => {
                while let Some(text) = child.next_child()? {
                    if text.local_name() == "Text" && out.reason.is_empty() {
                        out.reason = text.text()?.into_owned();
                    }
                }
            }
            (SoapVersion::Soap12, "Role") => out.actor = Some(child.text()?.into_owned()),
            (_, "detail" | "Detail") => {
                // The detail is kept as written, and then read again as the operation's
                // declared faults.
                while let Some(element) = child.next_child()? {
                    out.raw_detail.push(element.capture()?);
                }
            }
            _ => {}
        }
    }
    if !out.raw_detail.is_empty() {
        let wrapped: String = std::iter::once("<detail>")
            .chain(out.raw_detail.iter().map(AnyElement::as_str))
            .chain(std::iter::once("</detail>"))
            .collect();
        let mut reader = XmlReader::new(&wrapped);
        out.detail = reader
            .root()
            .ok()
            .and_then(|detail| D::read_detail(detail).ok().flatten());
    }
    Ok(out)
}
