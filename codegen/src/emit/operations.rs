//! Binding modules: one unit struct per operation implementing `soap_runtime::Operation`, the
//! message types only that binding needs, the endpoints of the ports that serve it, and, when
//! asked for, a typed client (one async method per operation over
//! `soap_runtime::client::SoapClient`) and a server (a trait with one async method per
//! operation, and a dispatcher implementing `soap_runtime::server::Dispatch`).

use proc_macro2::TokenStream;
use quote::quote;

use super::types::type_item;
use super::{ident, opt_doc, qname_value, type_tokens, Scope, Sides};
use crate::ir::{BindingItem, EndpointItem, MessageItem, OperationItem, XmlName};

pub fn binding(binding: &BindingItem, sides: Sides) -> TokenStream {
    let module = ident(&binding.module);
    let version = version(binding.soap12);
    let version_text = if binding.soap12 {
        "SOAP 1.2"
    } else {
        "SOAP 1.1"
    };
    let doc = format!(
        " Binding `{}` ({version_text}): its operations and the endpoints that serve it.",
        binding.name
    );
    let operations = binding.operations.iter().map(|op| operation(binding, op));
    let types = binding
        .types
        .iter()
        .map(|item| type_item(item, Scope::Binding));
    let endpoints = binding
        .endpoints
        .iter()
        .map(|e| endpoint(binding, e, &version));
    let infos = binding.operations.iter().map(|op| {
        let name = ident(&op.rust);
        quote! { &<#name as ::soap_runtime::Operation>::INFO }
    });
    let client = (sides.client && !binding.operations.is_empty()).then(|| client(binding));
    let server = (sides.server && !binding.operations.is_empty()).then(|| server(binding));
    quote! {
        #[doc = #doc]
        pub mod #module {
            /// The ports serving this binding, in the order the WSDL lists them: the first is
            /// the one to try first.
            pub const ENDPOINTS: &[::soap_runtime::Endpoint] = &[#(#endpoints),*];

            /// The binding's operations, in the WSDL's order: what its server routes by.
            pub const OPERATIONS: &[&::soap_runtime::OperationInfo] = &[#(#infos),*];

            #(#operations)*
            #client
            #server
            #(#types)*
        }
    }
}

fn version(soap12: bool) -> TokenStream {
    if soap12 {
        quote! { ::soap_runtime::SoapVersion::Soap12 }
    } else {
        quote! { ::soap_runtime::SoapVersion::Soap11 }
    }
}

fn endpoint(binding: &BindingItem, e: &EndpointItem, version: &TokenStream) -> TokenStream {
    let (service, port, address, name) = (&e.service, &e.port, &e.address, &binding.name);
    quote! {
        ::soap_runtime::Endpoint::new(#service, #port, #name, #address, #version)
    }
}

/// The Rust types of an operation's messages, as seen from inside its binding module.
struct Types {
    input: TokenStream,
    output: TokenStream,
    input_headers: TokenStream,
    output_headers: TokenStream,
    fault: TokenStream,
}

fn types(op: &OperationItem) -> Types {
    let headers = |m: Option<&MessageItem>| match m.and_then(|m| m.headers_type.as_deref()) {
        Some(h) => {
            let h = ident(h);
            quote! { #h }
        }
        None => quote! { ::soap_runtime::NoHeaders },
    };
    Types {
        input: type_tokens(&op.input.body_type, Scope::Binding),
        output: match &op.output {
            Some(output) => type_tokens(&output.body_type, Scope::Binding),
            None => quote! { ::soap_runtime::Empty },
        },
        input_headers: headers(Some(&op.input)),
        output_headers: headers(op.output.as_ref()),
        fault: match &op.fault_type {
            Some(f) => {
                let f = ident(f);
                quote! { #f }
            }
            None => quote! { ::soap_runtime::NoFault },
        },
    }
}

/// The operation's documentation from the WSDL, if any, then a blank line, so that it and
/// the generated summary stay two paragraphs.
fn wsdl_doc(op: &OperationItem) -> TokenStream {
    let doc = opt_doc(op.doc.as_deref());
    let gap = op.doc.as_ref().map(|_| quote! { #[doc = ""] });
    quote! { #doc #gap }
}

fn operation(binding: &BindingItem, op: &OperationItem) -> TokenStream {
    let name = ident(&op.rust);
    let doc = wsdl_doc(op);
    let summary = format!(
        " Operation `{}`: {} style{}.",
        op.name,
        if op.rpc { "rpc" } else { "document" },
        if op.input.encoded {
            ", SOAP-encoded"
        } else {
            ""
        }
    );
    let Types {
        input,
        output,
        input_headers,
        output_headers,
        fault,
    } = types(op);
    let (op_name, binding_name) = (&op.name, &binding.name);
    // Only what differs from `OperationInfo::new`'s defaults is written.
    let action = (!op.soap_action.is_empty()).then(|| {
        let action = &op.soap_action;
        quote! { .action(#action) }
    });
    let style = op.rpc.then(|| quote! { .rpc() });
    let version = binding.soap12.then(|| quote! { .soap12() });
    let input_info = message_info(&op.input);
    let output_info = op.output.as_ref().map(|m| {
        let info = message_info(m);
        quote! { .output(#info) }
    });
    quote! {
        #doc
        #[doc = #summary]
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub struct #name;

        impl ::soap_runtime::Operation for #name {
            type Input = #input;
            type Output = #output;
            type InputHeaders = #input_headers;
            type OutputHeaders = #output_headers;
            type Fault = #fault;
            const INFO: ::soap_runtime::OperationInfo =
                ::soap_runtime::OperationInfo::new(#op_name, #binding_name, #input_info)
                    #action #style #version #output_info;
        }
    }
}

fn message_info(m: &MessageItem) -> TokenStream {
    let body = message_body_info(m);
    if m.header_elements.is_empty() {
        return body;
    }
    // The server refuses a request whose mustUnderstand headers are not among these.
    let headers = m.header_elements.iter().map(qname_value);
    quote! { #body.with_headers(&[#(#headers),*]) }
}

fn message_body_info(m: &MessageItem) -> TokenStream {
    if let (
        false,
        Some(XmlName {
            ns: Some(ns),
            local,
        }),
    ) = (m.encoded, &m.body_element)
    {
        return quote! { ::soap_runtime::MessageInfo::element(#ns, #local) };
    }
    let body_element = match &m.body_element {
        Some(x) => {
            let q = qname_value(x);
            quote! { Some(#q) }
        }
        None => quote! { None },
    };
    if m.encoded {
        let encoding_style = match &m.encoding_style {
            Some(style) => quote! { Some(#style) },
            None => quote! { None },
        };
        quote! { ::soap_runtime::MessageInfo::encoded(#body_element, #encoding_style) }
    } else {
        quote! { ::soap_runtime::MessageInfo::literal(#body_element) }
    }
}

/// The typed client: a `SoapClient` and one method per operation.
fn client(binding: &BindingItem) -> TokenStream {
    let client = ident(&binding.client);
    let doc = format!(
        " A client of binding `{}`: one method per operation, each returning the output or a \
         `CallError` whose fault detail is the operation's declared faults.",
        binding.name
    );
    let from_ports = (!binding.endpoints.is_empty()).then(|| {
        quote! {
            /// A client of the binding's ports ([`ENDPOINTS`]), in the WSDL's order, with the
            /// default settings.
            pub fn from_ports() -> ::std::result::Result<Self, ::soap_runtime::client::ConfigError> {
                ::soap_runtime::client::SoapClient::builder().ports(ENDPOINTS).build().map(Self::new)
            }
        }
    });
    let methods = binding.operations.iter().map(client_methods);
    quote! {
        #[doc = #doc]
        ///
        /// Other settings (timeouts, HTTP headers, another HTTP transport) are those of the
        /// `SoapClient` given to [`Self::new`].
        #[derive(Debug, Clone)]
        pub struct #client {
            soap: ::soap_runtime::client::SoapClient,
        }

        impl #client {
            /// A client calling through `soap`, whose endpoints serve this binding.
            pub fn new(soap: ::soap_runtime::client::SoapClient) -> Self {
                Self { soap }
            }

            #from_ports

            /// A client of these endpoints, in order of preference, with the default settings.
            pub fn with_endpoints(
                endpoints: impl ::std::iter::IntoIterator<Item = impl ::std::convert::Into<::std::string::String>>,
            ) -> ::std::result::Result<Self, ::soap_runtime::client::ConfigError> {
                ::soap_runtime::client::SoapClient::builder().endpoints(endpoints).build().map(Self::new)
            }

            /// The `SoapClient` this client calls through.
            pub fn soap_client(&self) -> &::soap_runtime::client::SoapClient {
                &self.soap
            }

            #(#methods)*
        }
    }
}

fn client_methods(op: &OperationItem) -> TokenStream {
    let name = ident(&op.rust);
    let method = ident(&op.method);
    let doc = wsdl_doc(op);
    let summary = format!(" Calls `{}`.", op.name);
    let Types {
        input,
        input_headers,
        ..
    } = types(op);
    let plain = quote! {
        #doc
        #[doc = #summary]
        pub async fn #method(&self, input: &#input) -> ::soap_runtime::client::CallResult<#name> {
            self.soap.call::<#name>(input).await
        }
    };
    let with_headers = op.headers_method.as_ref().map(|headers_method| {
        let headers_method = ident(headers_method);
        let summary = format!(
            " Calls `{}` with its SOAP headers, and returns the response's headers with its body.",
            op.name
        );
        quote! {
            #[doc = #summary]
            pub async fn #headers_method(
                &self,
                input: &#input,
                headers: &#input_headers,
            ) -> ::std::result::Result<
                ::soap_runtime::envelope::ResponseMessage<#name>,
                ::soap_runtime::client::CallError<<#name as ::soap_runtime::Operation>::Fault>,
            > {
                self.soap.call_with_headers::<#name>(input, headers).await
            }
        }
    });
    quote! { #plain #with_headers }
}

/// The server: a trait to implement, and the dispatcher that routes requests to it.
fn server(binding: &BindingItem) -> TokenStream {
    let service = ident(&binding.service_trait);
    let server = ident(&binding.server);
    let trait_doc = format!(
        " The server side of binding `{}`: one method per operation. A method left \
         unimplemented answers a `Server` fault; serve an implementation with [`{}`].",
        binding.name, binding.server
    );
    let server_doc = format!(
        " Routes each request to the method of its operation in a [`{}`], and answers with \
         the method's response or fault.",
        binding.service_trait
    );
    let methods = binding.operations.iter().map(|op| {
        let name = ident(&op.rust);
        let method = ident(&op.method);
        let doc = wsdl_doc(op);
        let summary = format!(" Answers `{}`.", op.name);
        quote! {
            #doc
            #[doc = #summary]
            fn #method(
                &self,
                request: ::soap_runtime::server::Request<#name>,
            ) -> impl ::std::future::Future<Output = ::soap_runtime::server::ServerResult<#name>>
                   + ::std::marker::Send {
                ::soap_runtime::server::not_implemented(request)
            }
        }
    });
    let last = binding.operations.len() - 1;
    let serve = |op: &OperationItem| {
        let name = ident(&op.rust);
        let method = ident(&op.method);
        quote! { routed.serve::<#name, _, _>(|request| self.service.#method(request)).await }
    };
    let arms = binding.operations.iter().enumerate().map(|(index, op)| {
        // The last operation takes every index left: `routed` comes from this binding's
        // own list, so there is no other.
        let pattern = if index == last {
            quote! { _ }
        } else {
            let index = proc_macro2::Literal::usize_unsuffixed(index);
            quote! { #index }
        };
        let serve = serve(op);
        quote! { #pattern => #serve, }
    });
    let dispatch = match binding.operations.as_slice() {
        [only] => serve(only),
        _ => quote! { match routed.index() { #(#arms)* } },
    };
    quote! {
        #[doc = #trait_doc]
        pub trait #service: ::std::marker::Send + ::std::marker::Sync + 'static {
            #(#methods)*
        }

        #[doc = #server_doc]
        pub struct #server<T> {
            service: ::std::sync::Arc<T>,
        }

        impl<T: #service> #server<T> {
            /// A server answering with `service`.
            pub fn new(service: T) -> Self {
                Self::from_arc(::std::sync::Arc::new(service))
            }

            /// A server answering with a `service` shared with other code.
            pub fn from_arc(service: ::std::sync::Arc<T>) -> Self {
                Self { service }
            }
        }

        impl<T> ::std::clone::Clone for #server<T> {
            fn clone(&self) -> Self {
                Self { service: ::std::sync::Arc::clone(&self.service) }
            }
        }

        impl<T> ::std::fmt::Debug for #server<T> {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(::std::stringify!(#server))
            }
        }

        impl<T: #service> ::soap_runtime::server::Dispatch for #server<T> {
            fn operations(&self) -> &'static [&'static ::soap_runtime::OperationInfo] {
                OPERATIONS
            }

            fn serve<'a>(
                &'a self,
                routed: ::soap_runtime::server::Routed<'a>,
            ) -> ::soap_runtime::server::BoxFuture<'a, ::soap_runtime::server::Outgoing> {
                ::std::boxed::Box::pin(async move { #dispatch })
            }
        }
    }
}
