//! The generator's test fixtures, compiled: one module per folder of `tests/fixtures/`, each
//! holding exactly what `wsdl2rust::generate` writes for that folder's `service.wsdl`
//! (see `build.rs`).
//!
//! That this crate builds is itself a test: every fixture generates without error and its
//! module compiles (and passes clippy) in a crate whose only dependency is `soap-runtime`. The
//! tests in `tests/` use the generated types to read and write the fixtures' instance documents.

include!(concat!(env!("OUT_DIR"), "/fixtures.rs"));
