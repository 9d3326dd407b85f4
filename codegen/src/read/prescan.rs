//! A linear pass over a file's text before roxmltree parses it, refusing what would make the
//! parse itself the problem: roxmltree's tokenizer recurses once per level of nesting, so
//! some twelve thousand nested elements overflow the stack, and entity references each
//! expanding a long entity value make a small file a huge text (roxmltree stops entities that
//! nest, the "billion laughs", but not a plain entity referenced a million times).
//!
//! The pass knows just enough XML to be fooled by nothing: comments, CDATA sections,
//! processing instructions, the DTD and quoted attribute values are skipped whole, so a `<`
//! in any of them is not taken for a tag. Whatever is left unfinished (an unterminated
//! comment, say) is roxmltree's to report: the scan only goes on past it, counting what
//! follows, so that no construct it misreads can hide deep nesting from it.

use memchr::memmem;

/// How deep elements may nest. Real WSDL and XSD files stay within a few dozen levels.
pub const MAX_NESTING: usize = 1_000;

/// How long the text may become once entity references are expanded, in bytes.
pub const MAX_EXPANDED: usize = 64 << 20;

/// How many references roxmltree lets one entity reference expand to, nested ones included
/// (its own limit for the "billion laughs"), plus the reference itself.
const REFERENCES_PER_REFERENCE: usize = 256;

/// How deep roxmltree lets entity references nest.
const ENTITY_DEPTH: usize = 10;

/// Why a text is refused, at which byte offset.
#[derive(Debug, PartialEq, Eq)]
pub struct Refused {
    pub offset: usize,
    pub message: String,
}

/// What the DTD declares that matters here.
#[derive(Debug, Default)]
struct Entities {
    /// The longest general entity value, in bytes.
    longest: usize,
    /// The most `<` in one general entity value: how much nesting one expansion can add.
    most_tags: usize,
}

/// Checks nesting and entity expansion; see the module documentation.
pub fn check(text: &str) -> Result<(), Refused> {
    let bytes = text.as_bytes();
    let mut entities = Entities::default();
    let mut depth = 0usize;
    let mut deepest = 0usize;
    let mut references = 0usize;
    let mut first_reference = 0usize;
    let mut count = |segment: &[u8], at: usize| {
        let found = entity_references(segment);
        if found.0 > 0 && references == 0 {
            first_reference = at + found.1;
        }
        references = references.saturating_add(found.0);
    };
    let mut i = 0;
    while let Some(lt) = memchr::memchr(b'<', &bytes[i..]) {
        count(&bytes[i..i + lt], i);
        let at = i + lt;
        let rest = &bytes[at..];
        let skip_past = |end: &[u8], from: usize| {
            memmem::find(&bytes[at + from..], end).map(|e| at + from + e + end.len())
        };
        let next = if rest.starts_with(b"<!--") {
            skip_past(b"-->", 4)
        } else if rest.starts_with(b"<![CDATA[") {
            skip_past(b"]]>", 9)
        } else if rest.starts_with(b"<?") {
            skip_past(b"?>", 2)
        } else if rest.starts_with(b"<!") {
            declaration(bytes, at, &mut entities)
        } else if rest.starts_with(b"</") {
            depth = depth.saturating_sub(1);
            memchr::memchr(b'>', rest).map(|e| at + e + 1)
        } else {
            let end = tag_end(bytes, at + 1);
            if let Some(end) = end {
                count(&bytes[at..end], at);
                if bytes[end - 2] != b'/' {
                    depth += 1;
                    deepest = deepest.max(depth);
                    if depth > MAX_NESTING {
                        return Err(Refused {
                            offset: at,
                            message: format!(
                                "elements are nested more than {MAX_NESTING} deep: no WSDL or XML Schema needs that"
                            ),
                        });
                    }
                }
            }
            end
        };
        // Something left unfinished is roxmltree's to report; the scan goes on past its `<`
        // rather than stopping, so that nothing after it escapes the count.
        i = next.unwrap_or(at + 1);
    }
    count(&bytes[i..], i);
    if references > 0 && entities.longest > 0 {
        let expanded = references
            .saturating_mul(REFERENCES_PER_REFERENCE)
            .saturating_mul(entities.longest)
            .saturating_add(text.len());
        if expanded > MAX_EXPANDED {
            return Err(Refused {
                offset: first_reference,
                message: format!(
                    "{references} entity references to values of up to {} bytes could expand this file past {} MiB",
                    entities.longest,
                    MAX_EXPANDED >> 20
                ),
            });
        }
        let nesting = deepest.saturating_add(ENTITY_DEPTH.saturating_mul(entities.most_tags));
        if nesting > MAX_NESTING {
            return Err(Refused {
                offset: first_reference,
                message: format!(
                    "entity values holding markup could nest elements more than {MAX_NESTING} deep"
                ),
            });
        }
    }
    Ok(())
}

/// The offset just past the `>` closing the tag whose name starts at `from`, skipping quoted
/// attribute values (which may hold `>`).
fn tag_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut j = from;
    loop {
        let k = j + memchr::memchr3(b'>', b'"', b'\'', &bytes[j..])?;
        match bytes[k] {
            b'>' => return Some(k + 1),
            quote => j = k + 1 + memchr::memchr(quote, &bytes[k + 1..])? + 1,
        }
    }
}

/// Skips a `<!…>` declaration outside the DTD's internal subset (in practice the
/// `<!DOCTYPE …>`), noting the general entities its internal subset declares. The offset just
/// past it.
fn declaration(bytes: &[u8], at: usize, entities: &mut Entities) -> Option<usize> {
    let mut j = at + 2;
    let mut subset = false;
    loop {
        let b = *bytes.get(j)?;
        match b {
            b'"' | b'\'' => j += 1 + memchr::memchr(b, &bytes[j + 1..])? + 1,
            b'[' => {
                subset = true;
                j += 1;
            }
            b']' if subset => {
                subset = false;
                j += 1;
            }
            b'>' if !subset => return Some(j + 1),
            b'<' if subset && bytes[j..].starts_with(b"<!--") => {
                j += 4 + memmem::find(&bytes[j + 4..], b"-->")? + 3;
            }
            b'<' if subset && bytes[j..].starts_with(b"<?") => {
                j += 2 + memmem::find(&bytes[j + 2..], b"?>")? + 2;
            }
            b'<' if subset && bytes[j..].starts_with(b"<!ENTITY") => {
                j = entity(bytes, j + 8, entities)?;
            }
            _ => j += 1,
        }
    }
}

/// Reads an `<!ENTITY` declaration from just after its keyword, noting a general entity's
/// value; the offset just past it.
fn entity(bytes: &[u8], from: usize, entities: &mut Entities) -> Option<usize> {
    let rest = &bytes[from..];
    let name_at = rest.iter().position(|b| !b.is_ascii_whitespace())?;
    let general = rest[name_at] != b'%';
    let quote_at = rest
        .iter()
        .position(|&b| b == b'"' || b == b'\'' || b == b'>')?;
    let quote = rest[quote_at];
    if quote == b'>' {
        return Some(from + quote_at + 1); // an external entity: roxmltree never reads it
    }
    let len = memchr::memchr(quote, &rest[quote_at + 1..])?;
    if general {
        let value = &rest[quote_at + 1..quote_at + 1 + len];
        entities.longest = entities.longest.max(len);
        entities.most_tags = entities
            .most_tags
            .max(memchr::memchr_iter(b'<', value).count());
    }
    let after = from + quote_at + 1 + len + 1;
    Some(after + memchr::memchr(b'>', &bytes[after..])? + 1)
}

/// How many references to declared entities (not `&#…;` nor the five predefined ones) a
/// piece of text or a tag holds, and the offset of the first.
fn entity_references(segment: &[u8]) -> (usize, usize) {
    const PREDEFINED: [&[u8]; 5] = [b"&lt;", b"&gt;", b"&amp;", b"&apos;", b"&quot;"];
    let mut found = (0, 0);
    for at in memchr::memchr_iter(b'&', segment) {
        let rest = &segment[at..];
        if rest.get(1) == Some(&b'#') || PREDEFINED.iter().any(|p| rest.starts_with(p)) {
            continue;
        }
        if found.0 == 0 {
            found.1 = at;
        }
        found.0 += 1;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(levels: usize) -> String {
        "<a>".repeat(levels) + &"</a>".repeat(levels)
    }

    #[test]
    fn nesting_past_the_limit_is_refused_where_it_goes_too_deep() {
        assert_eq!(check(&nested(MAX_NESTING)), Ok(()));
        let refused = check(&nested(MAX_NESTING + 1)).unwrap_err();
        assert_eq!(refused.offset, 3 * MAX_NESTING);
        assert!(refused.message.contains("nested more than 1000 deep"));
    }

    #[test]
    fn empty_elements_and_closed_ones_do_not_add_up() {
        let flat = "<r>".to_owned() + &"<a/><b x='1'></b>".repeat(5_000) + "</r>";
        assert_eq!(check(&flat), Ok(()));
    }

    #[test]
    fn tags_in_comments_cdata_instructions_values_and_the_dtd_are_not_counted() {
        let hidden = [
            format!("<r><!--{}--></r>", nested(2_000)),
            format!("<r><![CDATA[{}]]></r>", "<a>".repeat(2_000)),
            format!("<r><?pi {}?></r>", "<a>".repeat(2_000)),
            format!(
                "<r a='{}' b=\"{}\"/>",
                "<a>".repeat(2_000),
                "<b>".repeat(2_000)
            ),
            format!(
                "<!DOCTYPE r [<!-- {} --><!ATTLIST r x CDATA '{}'>]><r/>",
                "<a>".repeat(2_000),
                "<a>".repeat(2_000)
            ),
        ];
        for text in hidden {
            assert_eq!(check(&text), Ok(()), "{}", &text[..40]);
        }
        // A `>` inside a quoted value does not end the tag early.
        let quoted = "<a x='>'>".repeat(MAX_NESTING + 1);
        assert!(check(&quoted).is_err());
    }

    #[test]
    fn nothing_unfinished_stops_the_count() {
        for opening in ["<!--", "<![CDATA[", "<?pi", "<!DOCTYPE r [", "<a x='"] {
            let text = format!("<r>{opening}{}", "<a>".repeat(MAX_NESTING + 1));
            assert!(check(&text).is_err(), "{opening}");
        }
    }

    #[test]
    fn a_long_entity_referenced_many_times_is_refused() {
        let value = "x".repeat(10_000);
        let bomb = format!(
            "<!DOCTYPE r [<!ENTITY e \"{value}\">]><r>{}</r>",
            "&e;".repeat(100)
        );
        let refused = check(&bomb).unwrap_err();
        assert!(
            refused.message.contains("entity references"),
            "{}",
            refused.message
        );
        assert_eq!(&bomb[refused.offset..refused.offset + 3], "&e;");
        // A few references to a short entity are fine, and so are character references.
        let fine = "<!DOCTYPE r [<!ENTITY e 'short'>]><r>&e;&#65;&amp;</r>";
        assert_eq!(check(fine), Ok(()));
    }

    #[test]
    fn entities_holding_markup_count_towards_nesting() {
        let value = "<a>".repeat(200) + &"</a>".repeat(200);
        let text = format!("<!DOCTYPE r [<!ENTITY e '{value}'>]><r>&e;</r>");
        assert!(check(&text).unwrap_err().message.contains("markup"));
    }
}
