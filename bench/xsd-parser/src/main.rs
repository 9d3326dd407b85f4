//! `xsd-parser-bench WSDL OUT [--pretty]`: xsd-parser 1.5 writes Rust types with quick_xml
//! serializers and deserializers for the XML Schemas in a WSDL's `<types>`, into OUT.
//!
//! This is the yardstick `cargo xtask bench-codegen` times `wsdl2rust` against, so it does what
//! a user of xsd-parser would have to do for a WSDL, in one process: xsd-parser reads XSD
//! documents only (a WSDL's root is not `xs:schema`), so the schemas are taken out of the WSDL
//! in memory and handed to xsd-parser's parser through a resolver of their own, under the
//! WSDL's URL; imports and includes they make are resolved from files relative to the WSDL, as
//! `wsdl2rust` resolves them. The rest is xsd-parser's pipeline with its default configuration
//! plus its quick_xml render steps, as `xsd_parser::generate` runs it.
//!
//! The text written is the token stream's, as xsd-parser's own examples write it; `--pretty`
//! formats it with prettyplease first, as `wsdl2rust` formats its output. Built with the
//! `mimalloc` feature, it allocates as `wsdl2rust` does.
#![forbid(unsafe_code)]

use std::io::{self, Cursor};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context, Result};
use quick_xml::events::Event;
use url::Url;
use xsd_parser::config::{Config, ParserFlags};
use xsd_parser::pipeline::parser::resolver::{
    FileResolver, ManyResolver, ResolveRequest, ResolveResult, Resolver,
};
use xsd_parser::Parser;

#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const WSDL_NS: &str = "http://schemas.xmlsoap.org/wsdl/";
const XSD_NS: &str = "http://www.w3.org/2001/XMLSchema";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<()> {
    let mut pretty = false;
    let mut paths = Vec::new();
    for arg in std::env::args_os().skip(1) {
        if arg == "--pretty" {
            pretty = true;
        } else {
            paths.push(PathBuf::from(arg));
        }
    }
    let [wsdl, out] = <[PathBuf; 2]>::try_from(paths)
        .map_err(|_| anyhow!("usage: xsd-parser-bench WSDL OUT [--pretty]"))?;

    let code = generate(&wsdl)?;
    let text = if pretty {
        let file = syn::parse_file(&code).context("xsd-parser's output does not parse")?;
        prettyplease::unparse(&file)
    } else {
        code
    };
    std::fs::write(&out, text).with_context(|| format!("cannot write {}", out.display()))
}

/// The whole of xsd-parser's work for the schemas of `wsdl`, as Rust source text.
fn generate(wsdl: &Path) -> Result<String> {
    let path = wsdl
        .canonicalize()
        .with_context(|| format!("cannot open {}", wsdl.display()))?;
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let schemas = types_schemas(&text).with_context(|| format!("in {}", path.display()))?;
    let base = Url::from_file_path(&path).map_err(|()| anyhow!("{} is no URL", path.display()))?;
    let locations: Vec<Url> = (0..schemas.len())
        .map(|i| schema_location(&base, i))
        .collect();

    let config = Config::default().with_quick_xml();
    let resolver = ManyResolver::new()
        .add_resolver(TypesResolver { base, schemas })
        .add_resolver(FileResolver::new());
    // The parser as `xsd_parser::exec_parser` sets it up from the default flags; only the
    // resolver is ours.
    let flags = &config.parser.flags;
    let mut parser = Parser::new()
        .with_resolver(resolver)
        .resolve_includes(flags.contains(ParserFlags::RESOLVE_INCLUDES))
        .generate_prefixes(flags.contains(ParserFlags::GENERATE_PREFIXES))
        .alternative_prefixes(flags.contains(ParserFlags::ALTERNATIVE_PREFIXES));
    if flags.contains(ParserFlags::DEFAULT_NAMESPACES) {
        parser = parser.with_default_namespaces();
    }
    for location in locations {
        parser = parser
            .add_schema_from_url(location)
            .map_err(|e| anyhow!("xsd-parser: {e}"))?;
    }
    let schemas = parser.finish();

    let (meta_types, ident_cache) =
        xsd_parser::exec_interpreter_with_ident_cache(config.interpreter, &schemas)?;
    let meta_types = xsd_parser::exec_optimizer(config.optimizer, meta_types)?;
    let data_types = xsd_parser::exec_generator_with_ident_cache(
        config.generator,
        &schemas,
        Some(&ident_cache),
        &meta_types,
    )?;
    let module = xsd_parser::exec_render(config.renderer, &data_types)?;
    Ok(quote::ToTokens::to_token_stream(&module).to_string())
}

/// Where the `index`th schema of a WSDL's `<types>` is found: the WSDL's URL with a fragment,
/// so that the schema's relative imports resolve beside the WSDL.
fn schema_location(wsdl: &Url, index: usize) -> Url {
    let mut url = wsdl.clone();
    url.set_fragment(Some(&format!("types-schema-{index}")));
    url
}

/// Serves the schemas taken out of a WSDL, each at its [`schema_location`].
#[derive(Debug)]
struct TypesResolver {
    base: Url,
    schemas: Vec<String>,
}

impl Resolver for TypesResolver {
    type Buffer = Cursor<Vec<u8>>;
    type Error = io::Error;

    fn resolve(&mut self, req: &ResolveRequest) -> ResolveResult<Self> {
        let Ok(url) = Url::parse(&req.requested_location) else {
            return Ok(None);
        };
        let index = (0..self.schemas.len()).find(|&i| schema_location(&self.base, i) == url);
        Ok(index.map(|i| {
            let name = format!("types-schema-{i}");
            (
                Some(name),
                url,
                Cursor::new(self.schemas[i].clone().into_bytes()),
            )
        }))
    }
}

/// The text of every `xs:schema` in the WSDL's `<types>`, each a document of its own: the
/// namespace declarations it inherits from the WSDL are written onto its start tag.
fn types_schemas(wsdl: &str) -> Result<Vec<String>> {
    let doc = roxmltree::Document::parse(wsdl).context("not well-formed XML")?;
    let root = doc.root_element();
    if !root.has_tag_name((WSDL_NS, "definitions")) {
        bail!("not a WSDL 1.1 document (its root is not wsdl:definitions)");
    }
    let mut schemas = Vec::new();
    for types in root
        .children()
        .filter(|n| n.has_tag_name((WSDL_NS, "types")))
    {
        for schema in types
            .children()
            .filter(|n| n.has_tag_name((XSD_NS, "schema")))
        {
            schemas.push(standalone(wsdl, schema)?);
        }
    }
    if schemas.is_empty() {
        bail!("the WSDL has no xs:schema in <types>");
    }
    Ok(schemas)
}

/// The text of `schema` with the namespace declarations it inherits added to its start tag.
fn standalone(wsdl: &str, schema: roxmltree::Node<'_, '_>) -> Result<String> {
    let element = &wsdl[schema.range()];
    let (name_len, own) = own_declarations(element)?;
    let mut inherited = String::new();
    for ns in schema.namespaces() {
        if own.iter().any(|p| p.as_deref() == ns.name()) {
            continue;
        }
        match ns.name() {
            Some(prefix) => inherited.push_str(&format!(" xmlns:{prefix}=\"{}\"", ns.uri())),
            None => inherited.push_str(&format!(" xmlns=\"{}\"", ns.uri())),
        }
    }
    let at = 1 + name_len;
    Ok(format!("{}{inherited}{}", &element[..at], &element[at..]))
}

/// The length of an element's qualified name and the prefixes its start tag declares (`None`
/// for the default namespace), read with quick-xml.
fn own_declarations(element: &str) -> Result<(usize, Vec<Option<String>>)> {
    let mut reader = quick_xml::Reader::from_str(element);
    loop {
        match reader
            .read_event()
            .context("reading a schema's start tag")?
        {
            Event::Start(tag) | Event::Empty(tag) => {
                let mut own = Vec::new();
                for attr in tag.attributes() {
                    let key = attr.context("reading a schema's start tag")?.key;
                    if key.as_ref() == b"xmlns" {
                        own.push(None);
                    } else if key.prefix().is_some_and(|p| p.as_ref() == b"xmlns") {
                        own.push(Some(
                            String::from_utf8_lossy(key.local_name().as_ref()).into_owned(),
                        ));
                    }
                }
                return Ok((tag.name().as_ref().len(), own));
            }
            Event::Eof => bail!("a schema without a start tag"),
            _ => {}
        }
    }
}
