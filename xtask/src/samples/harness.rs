//! The harness written into each throwaway crate: it reads sample messages into the generated
//! operation types and writes them back, through the runtime, exactly as a server (requests)
//! and a client (responses) would. A request is first routed among its binding's operations by
//! `soap_runtime::server::Incoming::route`, as the generated server's dispatcher routes it,
//! with the SOAP action a client of the same WSDL sends: it must reach its own operation.
//!
//! The generated module is private to its crate (as a user keeps it), so the harness is a
//! module of the same library (`src/sample_harness.rs`), and the binary (`src/main.rs`) only
//! calls it. It takes a plan file, one sample a line (`binding_module::Operation`, `req` or
//! `res`, the sample's path, where to write the result), and prints one line per sample, in
//! order: `ok`, or `route: …` / `read: …` / `panic: …` / `plan: …` with the reason. It flushes
//! each line, so that when it dies (a stack overflow aborts), the lines printed say which
//! sample killed it.

use std::fmt::Write as _;

/// An operation of a generated module, as the harness refers to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationRef {
    /// The binding's name in the WSDL.
    pub binding: String,
    /// The operation's name in the WSDL.
    pub operation: String,
    /// `binding_module::OperationStruct`, the path of its stub in the generated module.
    pub key: String,
    /// Whether the binding is SOAP 1.2.
    pub soap12: bool,
    /// Whether the operation has a response (it is not one-way).
    pub response: bool,
}

/// The operations of a generated module, read from the generator's IR.
pub fn operations(module: &wsdl2rust::ir::Module) -> Vec<OperationRef> {
    module
        .bindings
        .iter()
        .flat_map(|binding| {
            binding.operations.iter().map(move |op| OperationRef {
                binding: binding.name.clone(),
                operation: op.name.clone(),
                key: format!("{}::{}", binding.module, op.rust),
                soap12: binding.soap12,
                response: op.output.is_some(),
            })
        })
        .collect()
}

/// The files the harness adds to the crate `package`: (path under `src/`, text), and the line
/// its `lib.rs` needs.
pub fn files(
    package: &str,
    operations: &[OperationRef],
) -> ([(&'static str, String); 2], &'static str) {
    let mut table = String::new();
    for op in operations {
        let path = format!("generated::{}", op.key);
        let binding = op.key.split("::").next().unwrap_or_default();
        let _ = writeln!(
            table,
            "    ({:?}, generated::{binding}::OPERATIONS, request::<{path}>, response::<{path}>),",
            op.key
        );
    }
    let main = format!(
        "//! Written by `cargo xtask corpus --samples`; throwaway: runs the sample harness.\n\
         fn main() {{\n    {}::sample_harness::main();\n}}\n",
        package.replace('-', "_")
    );
    (
        [
            (
                "sample_harness.rs",
                TEMPLATE.replace("{operations}", &table),
            ),
            ("main.rs", main),
        ],
        "pub mod sample_harness;\n",
    )
}

const TEMPLATE: &str = r#"//! Written by `cargo xtask corpus --samples`; throwaway. Reads each sample message of the plan
//! (argument 1) into its operation's generated type, writes it back, and prints how it went.

use std::io::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};

use soap_runtime::envelope::{read_request, read_response, write_request, write_response};
use soap_runtime::server::{Context, Incoming};
use soap_runtime::{Operation, OperationInfo, SoapVersion};

use crate::generated;

type Binding = &'static [&'static OperationInfo];
type Request = fn(Binding, &str) -> Result<String, String>;
type Response = fn(&str) -> Result<String, String>;

/// Routes the request among its binding's operations, then reads it and writes it back.
fn request<O: Operation>(binding: Binding, xml: &str) -> Result<String, String> {
    let action = Some(O::INFO.soap_action).filter(|a| !a.is_empty());
    let content_type = match (O::INFO.version, action) {
        (SoapVersion::Soap12, Some(action)) => {
            format!("{}; action=\"{action}\"", SoapVersion::Soap12.content_type())
        }
        (version, _) => version.content_type().to_owned(),
    };
    let header = action.filter(|_| O::INFO.version == SoapVersion::Soap11);
    let incoming = Incoming::new(xml.as_bytes(), Some(&content_type), header, Context::default());
    match incoming.route(binding) {
        Ok(routed) if routed.operation().name == O::INFO.name => {}
        Ok(routed) => {
            return Err(format!(
                "route: the request went to {}, not {}",
                routed.operation().name,
                O::INFO.name
            ))
        }
        Err(answer) => return Err(format!("route: {}", fault_reason(&answer.body))),
    }
    let read = read_request::<O>(xml).map_err(|e| format!("read: {e}"))?;
    Ok(write_request::<O>(&read.body, &read.headers))
}

fn response<O: Operation>(xml: &str) -> Result<String, String> {
    let read = read_response::<O>(xml).map_err(|e| format!("read: {e}"))?;
    Ok(write_response::<O>(&read.body, &read.headers))
}

/// The reason of a fault the runtime wrote (`faultstring`, or SOAP 1.2's `Text`).
fn fault_reason(fault: &str) -> &str {
    for (open, close) in [("<faultstring>", "</faultstring>"), ("xml:lang=\"en\">", "</")] {
        if let Some(rest) = fault.find(open).map(|at| &fault[at + open.len()..]) {
            return rest.find(close).map_or(rest, |end| &rest[..end]);
        }
    }
    fault
}

/// Each operation: its path in the module, its binding's operations, its round trips.
const OPERATIONS: &[(&str, Binding, Request, Response)] = &[
{operations}];

/// One plan line: `key`, `req` or `res`, the sample, where to write the result.
fn run(line: &str) -> String {
    let fields: Vec<&str> = line.split('\t').collect();
    let [key, direction, sample, output] = fields[..] else {
        return format!("plan: not four fields: {line:?}");
    };
    let Some(&(_, binding, request, response)) = OPERATIONS.iter().find(|op| op.0 == key) else {
        return format!("plan: no operation {key}");
    };
    let xml = match std::fs::read_to_string(sample) {
        Ok(xml) => xml,
        Err(e) => return format!("plan: reading {sample}: {e}"),
    };
    let round_trip = || {
        if direction == "req" {
            request(binding, &xml)
        } else {
            response(&xml)
        }
    };
    match catch_unwind(AssertUnwindSafe(round_trip)) {
        Ok(Ok(written)) => match std::fs::write(output, written) {
            Ok(()) => "ok".to_owned(),
            Err(e) => format!("plan: writing {output}: {e}"),
        },
        Ok(Err(error)) => error,
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            format!("panic: {message}")
        }
    }
}

/// Runs the plan named by the first argument.
pub fn main() {
    let Some(plan) = std::env::args().nth(1) else {
        eprintln!("usage: harness PLAN");
        std::process::exit(2);
    };
    let plan = match std::fs::read_to_string(&plan) {
        Ok(plan) => plan,
        Err(e) => {
            eprintln!("reading {plan}: {e}");
            std::process::exit(2);
        }
    };
    // A panic is reported as the sample's outcome; the default hook would print it again.
    std::panic::set_hook(Box::new(|_| {}));
    let mut out = std::io::stdout().lock();
    for line in plan.lines() {
        let outcome = run(line).replace(['\n', '\r'], " ");
        if writeln!(out, "{outcome}").and_then(|()| out.flush()).is_err() {
            std::process::exit(1);
        }
    }
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_harness_names_each_operation_by_its_module_path() {
        let ops = [OperationRef {
            binding: "Sms".into(),
            operation: "auth".into(),
            key: "sms::Auth".into(),
            soap12: false,
            response: true,
        }];
        let ([(harness_path, harness), (main_path, main)], lib_line) =
            files("clickatell-clickatell", &ops);
        assert_eq!((harness_path, main_path), ("sample_harness.rs", "main.rs"));
        assert!(harness.contains(
            "&[\n    (\"sms::Auth\", generated::sms::OPERATIONS, request::<generated::sms::Auth>, response::<generated::sms::Auth>),\n];"
        ));
        assert!(!harness.contains("{operations}"));
        assert!(main.contains("clickatell_clickatell::sample_harness::main();"));
        assert_eq!(lib_line, "pub mod sample_harness;\n");
    }
}
