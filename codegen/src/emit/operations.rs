//! Binding modules: one unit struct per operation implementing `soap_runtime::Operation`, the
//! message types only that binding needs, and the endpoints of the ports that serve it.

use proc_macro2::TokenStream;
use quote::quote;

use super::types::type_item;
use super::{ident, opt_doc, qname_value, type_tokens, Scope};
use crate::ir::{BindingItem, EndpointItem, MessageItem, OperationItem, PartItem};

pub fn binding(binding: &BindingItem) -> TokenStream {
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
    quote! {
        #[doc = #doc]
        pub mod #module {
            /// The ports serving this binding, in the order the WSDL lists them: the first is
            /// the one to try first.
            pub const ENDPOINTS: &[::soap_runtime::Endpoint] = &[#(#endpoints),*];

            #(#operations)*
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
    let _ = &e.doc;
    quote! {
        ::soap_runtime::Endpoint { service: #service, port: #port, binding: #name, address: #address, version: #version }
    }
}

fn operation(binding: &BindingItem, op: &OperationItem) -> TokenStream {
    let name = ident(&op.rust);
    let doc = opt_doc(op.doc.as_deref());
    // A blank line keeps the WSDL's text and the summary apart as two paragraphs.
    let gap = op.doc.as_ref().map(|_| quote! { #[doc = ""] });
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
    let input = type_tokens(&op.input.body_type, Scope::Binding);
    let output = match &op.output {
        Some(output) => type_tokens(&output.body_type, Scope::Binding),
        None => quote! { ::soap_runtime::Empty },
    };
    let headers = |m: Option<&MessageItem>| match m.and_then(|m| m.headers_type.as_deref()) {
        Some(h) => {
            let h = ident(h);
            quote! { #h }
        }
        None => quote! { ::soap_runtime::NoHeaders },
    };
    let input_headers = headers(Some(&op.input));
    let output_headers = headers(op.output.as_ref());
    let fault = match &op.fault_type {
        Some(f) => {
            let f = ident(f);
            quote! { #f }
        }
        None => quote! { ::soap_runtime::NoFault },
    };
    let (op_name, binding_name, action) = (&op.name, &binding.name, &op.soap_action);
    let style = if op.rpc {
        quote! { Rpc }
    } else {
        quote! { Document }
    };
    let version = version(binding.soap12);
    let input_info = message_info(&op.input);
    let output_info = match &op.output {
        Some(m) => {
            let info = message_info(m);
            quote! { Some(#info) }
        }
        None => quote! { None },
    };
    let faults = op.faults.iter().map(|f| {
        let (fault_name, element) = (&f.name, qname_value(&f.element));
        quote! { ::soap_runtime::FaultInfo { name: #fault_name, element: #element } }
    });
    quote! {
        #doc
        #gap
        #[doc = #summary]
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub struct #name;

        impl ::soap_runtime::Operation for #name {
            type Input = #input;
            type Output = #output;
            type InputHeaders = #input_headers;
            type OutputHeaders = #output_headers;
            type Fault = #fault;
            const INFO: ::soap_runtime::OperationInfo = ::soap_runtime::OperationInfo {
                name: #op_name,
                binding: #binding_name,
                soap_action: #action,
                style: ::soap_runtime::Style::#style,
                version: #version,
                input: #input_info,
                output: #output_info,
                faults: &[#(#faults),*],
            };
        }
    }
}

fn message_info(m: &MessageItem) -> TokenStream {
    let message = &m.message;
    let body_element = match &m.body_element {
        Some(x) => {
            let q = qname_value(x);
            quote! { Some(#q) }
        }
        None => quote! { None },
    };
    let body_parts = m.body_parts.iter().map(part);
    let header_parts = m.header_parts.iter().map(part);
    let body_use = if m.encoded {
        quote! { Encoded }
    } else {
        quote! { Literal }
    };
    let encoding_style = match &m.encoding_style {
        Some(style) => quote! { Some(#style) },
        None => quote! { None },
    };
    quote! {
        ::soap_runtime::MessageInfo {
            message: #message,
            body_element: #body_element,
            body_parts: &[#(#body_parts),*],
            header_parts: &[#(#header_parts),*],
            body_use: ::soap_runtime::BodyUse::#body_use,
            encoding_style: #encoding_style,
        }
    }
}

fn part(p: &PartItem) -> TokenStream {
    let name = &p.name;
    let q = qname_value(&p.qname);
    let kind = if p.element {
        quote! { Element }
    } else {
        quote! { Type }
    };
    quote! { ::soap_runtime::Part { name: #name, kind: ::soap_runtime::PartKind::#kind(#q) } }
}
