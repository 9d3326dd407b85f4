//! The harness binary written into each throwaway crate: it reads sample messages into the
//! generated operation types and writes them back, through the runtime's envelope functions,
//! exactly as a client (responses) and a server (requests) would.
//!
//! It takes a plan file, one sample a line (`binding_module::Operation`, `req` or `res`, the
//! sample's path, where to write the result), and prints one line per sample, in order: `ok`,
//! or `read: …` / `panic: …` / `plan: …` with the reason. It flushes each line, so that when it
//! dies (a stack overflow aborts), the lines printed say which sample killed it.

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
pub fn operations(module: &codegen::ir::Module) -> Vec<OperationRef> {
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

/// The text of `src/main.rs` for the crate `package`, whose library is the generated module.
pub fn main_rs(package: &str, operations: &[OperationRef]) -> String {
    let library = package.replace('-', "_");
    let mut table = String::new();
    for op in operations {
        let path = format!("{library}::{}", op.key);
        let _ = writeln!(
            table,
            "    ({:?}, request::<{path}>, response::<{path}>),",
            op.key
        );
    }
    TEMPLATE.replace("{operations}", &table)
}

const TEMPLATE: &str = r#"//! Written by `cargo xtask corpus --samples`; throwaway. Reads each sample message of the plan
//! (argument 1) into its operation's generated type, writes it back, and prints how it went.
#![forbid(unsafe_code)]

use std::io::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};

use soap_runtime::envelope::{read_request, read_response, write_request, write_response};
use soap_runtime::Operation;

type RoundTrip = fn(&str) -> Result<String, String>;

fn request<O: Operation>(xml: &str) -> Result<String, String> {
    let read = read_request::<O>(xml).map_err(|e| e.to_string())?;
    Ok(write_request::<O>(&read.body, &read.headers))
}

fn response<O: Operation>(xml: &str) -> Result<String, String> {
    let read = read_response::<O>(xml).map_err(|e| e.to_string())?;
    Ok(write_response::<O>(&read.body, &read.headers))
}

/// Each operation's path in the module, and its request and response round trips.
const OPERATIONS: &[(&str, RoundTrip, RoundTrip)] = &[
{operations}];

/// One plan line: `key`, `req` or `res`, the sample, where to write the result.
fn run(line: &str) -> String {
    let fields: Vec<&str> = line.split('\t').collect();
    let [key, direction, sample, output] = fields[..] else {
        return format!("plan: not four fields: {line:?}");
    };
    let Some(&(_, request, response)) = OPERATIONS.iter().find(|(k, _, _)| *k == key) else {
        return format!("plan: no operation {key}");
    };
    let round_trip = if direction == "req" { request } else { response };
    let xml = match std::fs::read_to_string(sample) {
        Ok(xml) => xml,
        Err(e) => return format!("plan: reading {sample}: {e}"),
    };
    match catch_unwind(AssertUnwindSafe(|| round_trip(&xml))) {
        Ok(Ok(written)) => match std::fs::write(output, written) {
            Ok(()) => "ok".to_owned(),
            Err(e) => format!("plan: writing {output}: {e}"),
        },
        Ok(Err(error)) => format!("read: {error}"),
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

fn main() {
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
        let text = main_rs("clickatell-clickatell", &ops);
        assert!(text.contains(
            "&[\n    (\"sms::Auth\", request::<clickatell_clickatell::sms::Auth>, response::<clickatell_clickatell::sms::Auth>),\n];"
        ));
        assert!(!text.contains("{operations}"));
    }
}
