//! A client for the Connection Software SMS gateway, built on bindings generated from its WSDL.
#![forbid(unsafe_code)]

/// Code written by `cargo xtask regen` from the WSDL files in `wsdl/`. Never edit it by hand:
/// `cargo xtask check` fails when it differs from what the generator writes.
// rustfmt leaves the generated files as prettyplease wrote them: `cargo xtask check`
// compares them byte for byte with the generator's output.
#[rustfmt::skip]
pub mod generated {
    pub mod sendsms5;
}
