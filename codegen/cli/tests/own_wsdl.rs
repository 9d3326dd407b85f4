//! The README's "Use it on your own WSDL", followed as a new user would, in a crate of its own
//! in the system temp dir: once with the `wsdl2rust` command and once with a build script. The
//! crate is made of the README's own code blocks (each marked `<!-- own-wsdl: FILE -->`), so
//! the README cannot drift from what works. It serves the example server, calls it with the
//! client, and checks what the client's dependency tree holds.
//!
//! The crate builds with the repository's lock file, offline, into this build's target
//! directory, so that it compiles little beyond itself.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The code block that follows `<!-- own-wsdl: NAME -->` in the README.
fn readme_block(readme: &str, name: &str) -> String {
    let marker = format!("<!-- own-wsdl: {name} -->");
    let after = readme
        .split_once(&marker)
        .unwrap_or_else(|| panic!("the README has no block marked {marker}"))
        .1;
    let fence = after.find("```").expect("a code block after the marker");
    let body = &after[fence..];
    let start = body.find('\n').expect("a fence line") + 1;
    let end = body[start..].find("```").expect("the end of the block");
    body[start..start + end].to_owned()
}

/// A temp folder removed when the test ends, passed or not, unless `KEEP_OWN_WSDL` is set.
struct TempCrate(PathBuf);

impl Drop for TempCrate {
    fn drop(&mut self) {
        if std::env::var_os("KEEP_OWN_WSDL").is_none() {
            let _ = fs::remove_dir_all(&self.0);
        }
    }
}

/// A process killed when the test ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().expect("a parent")).expect("a folder");
    fs::write(path, text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Way {
    Command,
    BuildScript,
}

/// The README's Cargo.toml lines with the crates found in this repository.
fn manifest(readme: &str, way: Way) -> String {
    let repository = repository();
    let path = |p: &str| {
        format!(
            "path = {:?}",
            repository
                .join(p)
                .canonicalize()
                .expect("exists")
                .to_string_lossy()
        )
    };
    let mut lines = readme_block(readme, "Cargo.toml");
    assert!(
        lines.contains("soap-runtime = { version = \"0.1\""),
        "{lines}"
    );
    lines = lines
        .replace(
            "soap-runtime = { version = \"0.1\"",
            &format!("soap-runtime = {{ {}", path("soap-runtime")),
        )
        .replace(
            "wsdl2rust = { version = \"0.1\" }",
            &format!("wsdl2rust = {{ {} }}", path("codegen")),
        );
    if way == Way::Command {
        // Without a build script there is nothing to build it with.
        let start = lines
            .find("[build-dependencies]")
            .expect("build-dependencies");
        let end = start + lines[start..].find("\n\n").expect("a blank line after it") + 2;
        lines.replace_range(start..end, "");
    }
    format!(
        "[package]\nname = \"accounts-{}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n{lines}\n\
         # A workspace of its own, not the repository's.\n[workspace]\n",
        match way {
            Way::Command => "command",
            Way::BuildScript => "build-script",
        }
    )
}

fn follow_the_readme(way: Way) {
    let readme = fs::read_to_string(repository().join("README.md")).expect("the README");
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let root = TempCrate(
        std::env::temp_dir().join(format!("own-wsdl-{way:?}-{}-{nanos}", std::process::id())),
    );
    let root = root.0.as_path();

    write(
        &root.join("wsdl/accounts.wsdl"),
        &fs::read_to_string(repository().join("tests/fixtures/soap12_headers_faults/service.wsdl"))
            .expect("the example WSDL"),
    );
    write(&root.join("Cargo.toml"), &manifest(&readme, way));
    fs::copy(repository().join("Cargo.lock"), root.join("Cargo.lock")).expect("the lock file");
    // A crate has its src/ before anything is generated into it.
    fs::create_dir_all(root.join("src")).expect("src/");
    let (main_module, example_module) = match way {
        Way::Command => {
            let output = Command::new(env!("CARGO_BIN_EXE_wsdl2rust"))
                .current_dir(root)
                .args(["wsdl/accounts.wsdl", "-o", "src/accounts.rs"])
                .output()
                .expect("wsdl2rust runs");
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
            (
                "mod accounts;\n",
                "#[path = \"../src/accounts.rs\"]\nmod accounts;\n",
            )
        }
        Way::BuildScript => {
            write(&root.join("build.rs"), &readme_block(&readme, "build.rs"));
            let include =
                "mod accounts {\n    soap_runtime::include_generated!(\"accounts\");\n}\n";
            (include, include)
        }
    };
    write(
        &root.join("src/main.rs"),
        &format!("{main_module}\n{}", readme_block(&readme, "src/main.rs")),
    );
    write(
        &root.join("examples/server.rs"),
        &format!(
            "{example_module}\n{}",
            readme_block(&readme, "examples/server.rs")
        ),
    );

    // This test's own target directory: cargo has released its lock by the time tests run.
    let exe = std::env::current_exe().expect("this test");
    let target = exe.ancestors().nth(3).expect("the target directory");
    let cargo = || {
        let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        command.current_dir(root);
        command
    };
    let built = cargo()
        .args([
            "build",
            "--quiet",
            "--offline",
            "--bins",
            "--examples",
            "--target-dir",
        ])
        .arg(target)
        .output()
        .expect("cargo runs");
    assert!(
        built.status.success(),
        "the README's crate ({way:?}) does not build:\n{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let warnings = String::from_utf8_lossy(&built.stderr);
    assert!(
        !warnings.contains("warning"),
        "the README's crate ({way:?}) builds with warnings:\n{warnings}"
    );

    let bin = target.join("debug");
    let mut server = Running(
        Command::new(bin.join("examples/server"))
            .arg("127.0.0.1:0")
            .stdout(Stdio::piped())
            .spawn()
            .expect("the server starts"),
    );
    let mut line = String::new();
    BufReader::new(server.0.stdout.take().expect("its output"))
        .read_line(&mut line)
        .expect("the server says where it listens");
    let url = line
        .trim()
        .strip_prefix("serving on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .to_owned();
    let client = format!(
        "accounts-{}",
        match way {
            Way::Command => "command",
            Way::BuildScript => "build-script",
        }
    );
    let call = |account: &str| {
        let output = Command::new(bin.join(&client))
            .args([url.as_str(), account])
            .output()
            .expect("the client runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    assert_eq!(call("alice"), "balance 12.50\n");
    assert_eq!(call("bob"), "no account bob\n");

    // What a user of the client depends on: the runtime, its HTTP client, tokio; no command
    // line crates, no server, no SMS crate.
    let tree = cargo()
        .args(["tree", "--offline", "-e", "normal", "--prefix", "none"])
        .output()
        .expect("cargo tree runs");
    assert!(
        tree.status.success(),
        "{}",
        String::from_utf8_lossy(&tree.stderr)
    );
    let tree = String::from_utf8_lossy(&tree.stdout);
    let crates: Vec<&str> = tree.lines().filter_map(|l| l.split(' ').next()).collect();
    for unwanted in [
        "clap",
        "indicatif",
        "tracing-subscriber",
        "axum",
        "generated-client",
        "mimalloc",
    ] {
        assert!(
            !crates.contains(&unwanted),
            "{unwanted} is in the client's tree ({way:?}):\n{tree}"
        );
    }
    for wanted in ["soap-runtime", "reqwest", "tokio"] {
        assert!(crates.contains(&wanted), "{wanted} missing:\n{tree}");
    }
}

#[test]
fn the_readme_works_with_the_command() {
    follow_the_readme(Way::Command);
}

#[test]
fn the_readme_works_with_a_build_script() {
    follow_the_readme(Way::BuildScript);
}
