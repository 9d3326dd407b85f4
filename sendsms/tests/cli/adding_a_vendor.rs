//! The README's "Adding a SOAP SMS vendor", followed step by step for a fixture vendor,
//! TinySMS (`tests/fixtures/tinysms/`), in a crate of its own in the system temp dir: its WSDL
//! goes into `wsdl/`, its module is generated as `cargo xtask regen` generates the client's,
//! the module is declared as in generated-client's `generated` block, and a vendor layer of a
//! few dozen lines on generated-client's shared parts sends through a loopback server.
//!
//! The crate builds with the repository's lock file, offline, into this build's target
//! directory, so that it compiles only itself on top of what the tests already built.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

/// What xtask's `GENERATED` list would hold for TinySMS (step 2), relative to the root.
const GENERATED: &[(&str, &str)] = &[("wsdl/tinysms.wsdl", "src/generated/tinysms.rs")];

/// A temp folder removed when the test ends, passed or not, unless `KEEP_VENDOR_FIXTURE` is
/// set (to look at the crate).
struct TempCrate(PathBuf);

impl Drop for TempCrate {
    fn drop(&mut self) {
        if std::env::var_os("KEEP_VENDOR_FIXTURE").is_none() {
            let _ = fs::remove_dir_all(&self.0);
        }
    }
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

#[test]
fn a_new_vendor_is_a_wsdl_a_generated_module_and_a_small_vendor_layer() {
    let client = Path::new(env!("CARGO_MANIFEST_DIR"));
    let repository = client.parent().unwrap();
    let fixture = client.join("tests/fixtures/tinysms");
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let root = std::env::temp_dir().join(format!("adding-a-vendor-{}-{nanos}", std::process::id()));
    let root = TempCrate(root);
    let root = root.0.as_path();

    // Step 1: the vendor's WSDL goes into wsdl/.
    write(
        &root.join("wsdl/tinysms.wsdl"),
        &fs::read_to_string(fixture.join("tinysms.wsdl")).unwrap(),
    );

    // Steps 2 and 3: one line in GENERATED, then `cargo xtask regen`, which does this for each
    // line (with the same header command).
    for (wsdl, out) in GENERATED {
        let module = wsdl2rust::generate(
            &root.join(wsdl),
            &wsdl2rust::Options::new("cargo xtask regen"),
        )
        .expect("the fixture WSDL generates");
        write(&root.join(out), &module);
    }

    // Step 4: a `pub mod` in the `generated` block, which rustfmt leaves alone.
    // Step 5: the vendor layer, a module of its own.
    write(
        &root.join("src/lib.rs"),
        "#[rustfmt::skip]\npub mod generated {\n    pub mod tinysms;\n}\n\npub mod tinysms;\n",
    );
    write(
        &root.join("src/tinysms.rs"),
        &fs::read_to_string(fixture.join("vendor.rs")).unwrap(),
    );

    // Steps 6 and 7: a server answering the vendor's API on loopback, and a send through it.
    write(
        &root.join("src/main.rs"),
        &fs::read_to_string(fixture.join("main.rs")).unwrap(),
    );
    let path = |p: &Path| format!("{:?}", p.to_string_lossy());
    write(
        &root.join("Cargo.toml"),
        &format!(
            "[package]\nname = \"tinysms-vendor\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
             publish = false\n\n[dependencies]\ngenerated-client = {{ path = {} }}\n\
             soap-runtime = {{ path = {} }}\n\
             tokio = {{ version = \"1\", features = [\"rt\", \"macros\", \"net\", \"io-util\"] }}\n\
             serde = {{ version = \"1\", features = [\"derive\"] }}\n\
             chrono = {{ version = \"0.4\", default-features = false, features = [\"std\", \"clock\"] }}\n\n\
             # A workspace of its own, not the repository's.\n[workspace]\n",
            path(client),
            path(&repository.join("soap-runtime")),
        ),
    );
    fs::copy(repository.join("Cargo.lock"), root.join("Cargo.lock")).unwrap();

    // This test's own target directory (target/debug/deps/<this test>): cargo has released
    // its lock by the time tests run.
    let exe = std::env::current_exe().unwrap();
    let target = exe.ancestors().nth(3).unwrap();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(root)
        .args(["run", "--quiet", "--offline", "--target-dir"])
        .arg(target)
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the TinySMS crate failed:\n{}\n{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        stdout,
        "447700900001 T1 0 Accepted\n\
         447700900666 - 2 Rejected\n\
         447700900002 T2 0 Accepted\n\
         unknown account: [AccountFailure, AccountFailure, AccountFailure]\n\
         credit 12.5 credits\n"
    );
}
