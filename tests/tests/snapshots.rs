//! The generated module of every fixture, and of every WSDL in the workspace's `wsdl/` folder
//! (the checked-in client code), as insta snapshots in `tests/snapshots/`. A change to the
//! generator's output shows up here as a reviewable diff.
//!
//! To accept intended changes: `INSTA_UPDATE=always cargo test -p codegen-tests --test
//! snapshots` (or `cargo insta review`), then read the diff of the `.snap` files. With `CI=true`
//! insta writes nothing and fails on any difference.

mod common;

use std::path::Path;

/// The same command text for every snapshot, so the `@generated` header line is stable.
fn generate(path: &Path) -> String {
    let options = wsdl2rust::Options::new("wsdl2rust");
    wsdl2rust::generate(path, &options).unwrap_or_else(|e| panic!("{e}"))
}

fn snapshot_fixture(name: &str) {
    let code = generate(&common::fixture(&format!("{name}/service.wsdl")));
    insta::assert_snapshot!(format!("fixture_{name}"), code);
}

/// One test per fixture, so each snapshot passes or fails on its own.
macro_rules! fixture_snapshots {
    ($($name:ident)*) => {
        /// The fixtures with a snapshot test.
        const SNAPSHOTTED: &[&str] = &[$(stringify!($name)),*];

        $(
            #[test]
            fn $name() {
                snapshot_fixture(stringify!($name));
            }
        )*
    };
}

fixture_snapshots! {
    all_group
    anonymous_types
    any_content
    any_namespaces
    attributes
    builtins
    chameleon_include
    choice
    complex_content
    conversions
    enumerations
    facet_notes
    facets
    interop
    keyword_clash
    list_union
    mixed_content
    multi_file
    nillable
    qname_values
    qualified_namespaces
    recursion
    recursive_choice
    refs_and_groups
    repeated_groups
    rpc_encoded
    sequence_occurs
    shadowed_locals
    shared_definitions
    simple_content
    soap12_headers_faults
    soap_arrays
    substitution_groups
    tricky_names
    vendor_shape
    xsi_type
}

#[test]
fn every_fixture_has_a_snapshot_test() {
    assert_eq!(SNAPSHOTTED, codegen_tests::FIXTURES);
}

/// Every `wsdl/*.wsdl` of the workspace, found at run time: a new WSDL there needs a snapshot
/// before CI passes.
#[test]
fn workspace_wsdl_files() {
    let dir = common::workspace_dir().join("wsdl");
    let wsdls: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "wsdl"))
        .map(|path| {
            path.file_stem()
                .expect("a file name")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert!(!wsdls.is_empty(), "no WSDL in {}", dir.display());
    let mut wsdls = wsdls;
    wsdls.sort();
    for stem in wsdls {
        let code = generate(&dir.join(format!("{stem}.wsdl")));
        insta::assert_snapshot!(format!("wsdl_{stem}"), code);
    }
}
