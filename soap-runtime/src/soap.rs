//! What generated operation stubs tell the client and the server: SOAP version, style, use,
//! action, the body element of each direction, and the endpoints of each service port.

use crate::{Element, QName, ReadError, XmlValue, XmlWriter};

/// The SOAP version of a binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SoapVersion {
    /// SOAP 1.1 (`text/xml`, `SOAPAction` header).
    Soap11,
    /// SOAP 1.2 (`application/soap+xml`, action as a content-type parameter).
    Soap12,
}

impl SoapVersion {
    /// The envelope namespace.
    pub const fn envelope_namespace(self) -> &'static str {
        match self {
            Self::Soap11 => "http://schemas.xmlsoap.org/soap/envelope/",
            Self::Soap12 => "http://www.w3.org/2003/05/soap-envelope",
        }
    }

    /// The HTTP content type of a request.
    pub const fn content_type(self) -> &'static str {
        match self {
            Self::Soap11 => "text/xml; charset=utf-8",
            Self::Soap12 => "application/soap+xml; charset=utf-8",
        }
    }
}

/// The binding style of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Style {
    /// The body holds the message parts' elements as they are.
    Document,
    /// The body holds a wrapper element named after the operation, with one child per part.
    Rpc,
}

/// How message parts are serialized in the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BodyUse {
    /// As the schema describes them.
    Literal,
    /// By the SOAP encoding rules (`xsi:type` on each part, `SOAP-ENC:Array`).
    Encoded,
}

/// How one direction of an operation is carried in the body. Generated code builds it with
/// the `const` constructors below.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct MessageInfo {
    /// The element the body holds: the single part's element in document style, the
    /// operation wrapper in rpc style; `None` when the parts are written side by side.
    pub body_element: Option<QName>,
    /// How the body is serialized.
    pub body_use: BodyUse,
    /// `encodingStyle` for encoded bodies.
    pub encoding_style: Option<&'static str>,
    /// The elements of the headers the message declares: what its receiver understands. A
    /// server refuses a request with a header it must understand that is not among them.
    pub headers: &'static [QName],
}

impl MessageInfo {
    /// A literal body holding `body_element`.
    pub const fn literal(body_element: Option<QName>) -> Self {
        Self {
            body_element,
            body_use: BodyUse::Literal,
            encoding_style: None,
            headers: &[],
        }
    }

    /// A SOAP-encoded body holding `body_element`, with this `encodingStyle`.
    pub const fn encoded(
        body_element: Option<QName>,
        encoding_style: Option<&'static str>,
    ) -> Self {
        Self {
            body_element,
            body_use: BodyUse::Encoded,
            encoding_style,
            headers: &[],
        }
    }

    /// The same message, declaring these header elements.
    pub const fn with_headers(self, headers: &'static [QName]) -> Self {
        Self { headers, ..self }
    }

    /// A literal body holding the element `local` in namespace `ns` (document/literal's
    /// usual case, written compactly in generated code).
    pub const fn element(ns: &'static str, local: &'static str) -> Self {
        Self::literal(Some(QName::qualified(ns, local)))
    }

    /// A body with nothing in it (the response of a one-way operation).
    pub const EMPTY: Self = Self::literal(None);
}

/// Everything about an operation except its Rust types. Generated code builds it with
/// [`OperationInfo::new`] and the `const` methods that follow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct OperationInfo {
    /// The operation's name.
    pub name: &'static str,
    /// The binding's name.
    pub binding: &'static str,
    /// The `soapAction` (may be empty).
    pub soap_action: &'static str,
    /// Document or rpc.
    pub style: Style,
    /// SOAP 1.1 or 1.2.
    pub version: SoapVersion,
    /// The request.
    pub input: MessageInfo,
    /// The response; `None` for a one-way operation.
    pub output: Option<MessageInfo>,
}

impl OperationInfo {
    /// Operation `name` of `binding`, whose request is `input`: document style, SOAP 1.1, no
    /// `soapAction`, and no response (one-way) until said otherwise.
    pub const fn new(name: &'static str, binding: &'static str, input: MessageInfo) -> Self {
        Self {
            name,
            binding,
            soap_action: "",
            style: Style::Document,
            version: SoapVersion::Soap11,
            input,
            output: None,
        }
    }

    /// The same operation, with this `soapAction`.
    pub const fn action(mut self, soap_action: &'static str) -> Self {
        self.soap_action = soap_action;
        self
    }

    /// The same operation, in rpc style.
    pub const fn rpc(mut self) -> Self {
        self.style = Style::Rpc;
        self
    }

    /// The same operation, bound with SOAP 1.2.
    pub const fn soap12(mut self) -> Self {
        self.version = SoapVersion::Soap12;
        self
    }

    /// The same operation, answered with `output`.
    pub const fn output(mut self, output: MessageInfo) -> Self {
        self.output = Some(output);
        self
    }
}

/// A SOAP operation stub: its facts, and the Rust types of its messages.
pub trait Operation {
    /// The request body.
    type Input: XmlValue;
    /// The response body ([`Empty`] for a one-way operation).
    type Output: XmlValue;
    /// The request's SOAP headers.
    type InputHeaders: Headers;
    /// The response's SOAP headers.
    type OutputHeaders: Headers;
    /// The declared fault details.
    type Fault: FaultDetail;
    /// The operation's facts.
    const INFO: OperationInfo;
}

/// The SOAP headers of one message. `Default` is the message without headers.
pub trait Headers: Sized + Default {
    /// Whether there is nothing to write (then no `<Header>` is written at all).
    fn is_empty(&self) -> bool {
        false
    }
    /// Writes the header elements (inside `<Header>`).
    fn write_headers(&self, w: &mut XmlWriter);
    /// Reads the header elements from `<Header>`.
    fn read_headers(header: Element<'_, '_>) -> Result<Self, ReadError>;
}

/// The detail of a declared fault, recognised by its element name.
pub trait FaultDetail: Sized {
    /// Reads the first recognised element of a fault's `<detail>`; `None` when it holds none.
    fn read_detail(detail: Element<'_, '_>) -> Result<Option<Self>, ReadError>;
    /// Writes the detail's element (inside `<detail>`).
    fn write_detail(&self, w: &mut XmlWriter);
}

/// The headers of a message that has none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoHeaders;

impl Headers for NoHeaders {
    fn is_empty(&self) -> bool {
        true
    }

    fn write_headers(&self, _w: &mut XmlWriter) {}

    fn read_headers(_header: Element<'_, '_>) -> Result<Self, ReadError> {
        Ok(Self)
    }
}

/// The fault detail of an operation that declares no faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoFault {}

impl FaultDetail for NoFault {
    fn read_detail(_detail: Element<'_, '_>) -> Result<Option<Self>, ReadError> {
        Ok(None)
    }

    fn write_detail(&self, _w: &mut XmlWriter) {
        match *self {}
    }
}

/// An empty body (an operation whose message has no body parts).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Empty;

impl XmlValue for Empty {
    fn write_content(&self, _w: &mut XmlWriter) {}

    fn read(_element: Element<'_, '_>) -> Result<Self, ReadError> {
        Ok(Self)
    }
}

/// One service port: an address where a binding is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Endpoint {
    /// The service's name.
    pub service: &'static str,
    /// The port's name.
    pub port: &'static str,
    /// The binding the port serves.
    pub binding: &'static str,
    /// The `soap:address` location.
    pub address: &'static str,
    /// SOAP 1.1 or 1.2.
    pub version: SoapVersion,
}

impl Endpoint {
    /// Port `port` of `service`, serving `binding` at `address` with SOAP `version`.
    pub const fn new(
        service: &'static str,
        port: &'static str,
        binding: &'static str,
        address: &'static str,
        version: SoapVersion,
    ) -> Self {
        Self {
            service,
            port,
            binding,
            address,
            version,
        }
    }
}
