//! Recipient lists as users keep them: a file (or a text) of one number per line, read
//! streaming, checked whole before anything is sent, with repeated numbers found.
//!
//! A [`NumberList`] reads its source once to check it ([`NumberList::open`]): every line that
//! is not a number is reported with its line number (the first [`REPORTED`], then a count),
//! and so is every number that repeats an earlier one. It then hands out its numbers, in
//! international format, as many times as asked ([`Recipients::pass`]), reading the source
//! again each time, so that a list of millions never needs to be in memory: a journaled
//! campaign reads it twice (to hash it, then to plan its requests).
//!
//! The format, one number per line:
//! * a number in full international format, such as `447700912345`; a leading `+` and spaces
//!   are allowed (`+44 7700 912345`);
//! * blank lines are skipped;
//! * `#` starts a comment, to the end of the line (`447700912345  # Alice`, or a whole line).
//!
//! A number seen before in the list is sent once: later lines with it are skipped and
//! reported as [`Duplicate`]s, unless the list allows duplicates
//! ([`NumberList::allow_duplicates`]). To find them, the check keeps every distinct number
//! seen as a 64-bit integer (a number is at most 15 digits, without a leading 0, so the
//! integer is exact) with the line it was first seen on: about 35 MB for a million distinct
//! numbers, freed when the check ends. Later passes skip the duplicates' lines by their line
//! numbers, kept in a sorted list.

use std::collections::HashMap;
use std::convert::Infallible;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::PathBuf;

use super::message::normalize_number;

/// How many bad lines, and how many duplicates, a [`ListCheck`] lists; the rest are counted.
pub const REPORTED: usize = 20;

/// One pass over a list's numbers, as [`Recipients::pass`] gives it.
pub type Pass<'a, E> = Box<dyn Iterator<Item = Result<String, E>> + 'a>;

/// A list of recipients that can be read more than once, in the same order each time.
pub trait Recipients {
    /// Why the list could not be read.
    type Error: std::error::Error + Send + Sync + 'static;

    /// One pass over the numbers, in order.
    fn pass(&self) -> Result<Pass<'_, Self::Error>, Self::Error>;
}

impl Recipients for [String] {
    type Error = Infallible;

    fn pass(&self) -> Result<Pass<'_, Infallible>, Infallible> {
        Ok(Box::new(self.iter().cloned().map(Ok)))
    }
}

impl Recipients for Vec<String> {
    type Error = Infallible;

    fn pass(&self) -> Result<Pass<'_, Infallible>, Infallible> {
        self.as_slice().pass()
    }
}

/// A line of a list that is not a number.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BadLine {
    /// Its line number, from 1.
    pub line: u64,
    /// The line, without its comment, trimmed (at most 64 characters of it).
    pub text: String,
}

/// A number that repeats an earlier line of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Duplicate {
    /// Its line number, from 1.
    pub line: u64,
    /// The line where the number first stands.
    pub first_line: u64,
    /// The number, in international format.
    pub number: String,
}

/// What checking a list found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListCheck {
    /// The numbers the list hands out (duplicates left out, unless allowed).
    pub numbers: u64,
    /// The first [`REPORTED`] lines that are not numbers.
    pub bad: Vec<BadLine>,
    /// How many more there are.
    pub more_bad: u64,
    /// The first [`REPORTED`] numbers that repeat an earlier line.
    pub duplicates: Vec<Duplicate>,
    /// How many more there are.
    pub more_duplicates: u64,
}

impl ListCheck {
    /// Whether every line is a number, a comment or blank.
    pub fn is_valid(&self) -> bool {
        self.bad.is_empty()
    }

    /// How many lines are not numbers.
    pub fn bad_lines(&self) -> u64 {
        self.bad.len() as u64 + self.more_bad
    }

    /// How many numbers repeat an earlier line.
    pub fn duplicate_lines(&self) -> u64 {
        self.duplicates.len() as u64 + self.more_duplicates
    }
}

/// Why a list could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ListError {
    /// The source could not be opened or read.
    #[error("cannot read {source_name}: {error}")]
    Read {
        /// The file, or what the text is.
        source_name: String,
        /// Why.
        #[source]
        error: io::Error,
    },
    /// A line that was a number when the list was checked is not one now: the file changed.
    #[error("{source_name}:{line}: {text:?} is not a number in full international format (the list changed since it was checked)")]
    Changed {
        /// The file.
        source_name: String,
        /// The line number, from 1.
        line: u64,
        /// The line.
        text: String,
    },
}

#[derive(Debug, Clone)]
enum Source {
    File(PathBuf),
    Text { name: String, text: String },
}

/// A recipient list in a file or a text: see [the module](self) for its format.
#[derive(Debug, Clone)]
pub struct NumberList {
    source: Source,
    allow_duplicates: bool,
    /// The line numbers of the duplicates a pass skips, in order.
    skip: Vec<u64>,
}

impl NumberList {
    /// The list in the file at `path`, not read yet.
    pub fn file(path: impl Into<PathBuf>) -> Self {
        Self::of(Source::File(path.into()))
    }

    /// The list in `text`; `name` says what it is, for messages (such as `--to`).
    pub fn text(name: impl Into<String>, text: impl Into<String>) -> Self {
        Self::of(Source::Text {
            name: name.into(),
            text: text.into(),
        })
    }

    fn of(source: Source) -> Self {
        Self {
            source,
            allow_duplicates: false,
            skip: Vec::new(),
        }
    }

    /// Whether a number repeated in the list is sent each time it stands (false by default:
    /// once).
    pub fn allow_duplicates(mut self, allow: bool) -> Self {
        self.allow_duplicates = allow;
        self
    }

    /// What the list is, for messages: its file, or the name given to its text.
    pub fn source_name(&self) -> String {
        match &self.source {
            Source::File(path) => path.display().to_string(),
            Source::Text { name, .. } => name.clone(),
        }
    }

    /// Reads the whole list once and checks it: the list, and what the check found. Send
    /// nothing unless [`ListCheck::is_valid`].
    pub fn open(mut self) -> Result<(Self, ListCheck), ListError> {
        let mut check = ListCheck::default();
        let mut first_seen: HashMap<u64, u64> = HashMap::new();
        let mut skip = Vec::new();
        self.read(|line, entry| {
            let number = match entry {
                Entry::Number(number) => number,
                Entry::Bad(text) => {
                    if check.bad.len() < REPORTED {
                        check.bad.push(BadLine {
                            line,
                            text: text.chars().take(64).collect(),
                        });
                    } else {
                        check.more_bad += 1;
                    }
                    return Ok(());
                }
            };
            // Exact: at most 15 digits, and no leading 0 (normalize_number's rule).
            let key: u64 = number.parse().unwrap_or(u64::MAX);
            match first_seen.get(&key) {
                Some(&first_line) if !self.allow_duplicates => {
                    skip.push(line);
                    if check.duplicates.len() < REPORTED {
                        check.duplicates.push(Duplicate {
                            line,
                            first_line,
                            number,
                        });
                    } else {
                        check.more_duplicates += 1;
                    }
                    return Ok(());
                }
                Some(_) => {}
                None => {
                    first_seen.insert(key, line);
                }
            }
            check.numbers += 1;
            Ok(())
        })?;
        self.skip = skip;
        Ok((self, check))
    }

    /// Reads every line of the source, giving `each` its line number and what it holds
    /// (blank lines and comments are skipped).
    fn read(
        &self,
        mut each: impl FnMut(u64, Entry) -> Result<(), ListError>,
    ) -> Result<(), ListError> {
        let mut reader = self.reader()?;
        let mut buffer = Vec::new();
        let mut line = 0;
        loop {
            buffer.clear();
            let read = reader
                .read_until(b'\n', &mut buffer)
                .map_err(|error| self.read_error(error))?;
            if read == 0 {
                return Ok(());
            }
            line += 1;
            if let Some(entry) = entry(&buffer) {
                each(line, entry)?;
            }
        }
    }

    fn reader(&self) -> Result<Box<dyn BufRead + '_>, ListError> {
        Ok(match &self.source {
            Source::File(path) => Box::new(BufReader::with_capacity(
                64 * 1024,
                File::open(path).map_err(|error| self.read_error(error))?,
            )),
            Source::Text { text, .. } => Box::new(text.as_bytes()),
        })
    }

    fn read_error(&self, error: io::Error) -> ListError {
        ListError::Read {
            source_name: self.source_name(),
            error,
        }
    }
}

/// What a line holds.
enum Entry {
    Number(String),
    Bad(String),
}

/// The line's number, or why it is not one; `None` for a blank line or a comment.
fn entry(raw: &[u8]) -> Option<Entry> {
    let text = String::from_utf8_lossy(raw);
    let content = text.split('#').next().unwrap_or_default().trim();
    if content.is_empty() {
        return None;
    }
    Some(match normalize_number(content) {
        Some(number) => Entry::Number(number),
        None => Entry::Bad(content.to_owned()),
    })
}

/// A pass over a [`NumberList`]: its numbers, read from the source line by line.
struct Lines<'l> {
    list: &'l NumberList,
    reader: Box<dyn BufRead + 'l>,
    buffer: Vec<u8>,
    line: u64,
    skip: std::iter::Peekable<std::slice::Iter<'l, u64>>,
}

impl Iterator for Lines<'_> {
    type Item = Result<String, ListError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            self.buffer.clear();
            match self.reader.read_until(b'\n', &mut self.buffer) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(error) => return Some(Err(self.list.read_error(error))),
            }
            self.line += 1;
            if self.skip.next_if(|&&line| line == self.line).is_some() {
                continue;
            }
            match entry(&self.buffer) {
                None => continue,
                Some(Entry::Number(number)) => return Some(Ok(number)),
                Some(Entry::Bad(text)) => {
                    return Some(Err(ListError::Changed {
                        source_name: self.list.source_name(),
                        line: self.line,
                        text,
                    }))
                }
            }
        }
    }
}

impl Recipients for NumberList {
    type Error = ListError;

    fn pass(&self) -> Result<Pass<'_, ListError>, ListError> {
        Ok(Box::new(Lines {
            list: self,
            reader: self.reader()?,
            buffer: Vec::new(),
            line: 0,
            skip: self.skip.iter().peekable(),
        }))
    }
}

/// What is wrong with the line (its line number is the caller's to show, after the file's
/// name).
impl fmt::Display for BadLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a number in full international format, such as 447700912345",
            self.text
        )
    }
}

/// Which line the number repeats (its own line number is the caller's to show).
impl fmt::Display for Duplicate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} repeats line {}", self.number, self.first_line)
    }
}

/// Every number of `list`, in memory: for a send without a journal, which takes a
/// [`Message`](super::Message) of all its numbers.
pub fn collect<R: Recipients + ?Sized>(list: &R) -> Result<Vec<String>, R::Error> {
    list.pass()?.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(list: &NumberList) -> Vec<String> {
        collect(list).unwrap()
    }

    #[test]
    fn comments_blank_lines_and_spaces_are_allowed() {
        let text = "# customers\n447700900001\n\n  +44 7700 900002  # Bob\r\n#447700900003\n";
        let (list, check) = NumberList::text("list", text).open().unwrap();
        assert!(check.is_valid());
        assert_eq!(check.numbers, 2);
        assert_eq!(numbers(&list), ["447700900001", "447700900002"]);
        // Read again: the same.
        assert_eq!(numbers(&list), ["447700900001", "447700900002"]);
    }

    #[test]
    fn bad_lines_are_reported_with_their_numbers_then_counted() {
        let mut text = String::from("447700900001\nnot a number\n07700900002\n");
        for _ in 0..25 {
            text.push_str("12\n");
        }
        let (_, check) = NumberList::text("list", text).open().unwrap();
        assert!(!check.is_valid());
        assert_eq!(check.bad.len(), REPORTED);
        assert_eq!(check.bad_lines(), 27);
        assert_eq!(check.bad[0].line, 2);
        assert_eq!(check.bad[1].text, "07700900002");
        assert_eq!(
            check.bad[0].to_string(),
            "\"not a number\" is not a number in full international format, such as 447700912345"
        );
    }

    #[test]
    fn duplicates_are_sent_once_unless_allowed() {
        let text = "447700900001\n447700900002\n+447700900001\n447700900002\n447700900003\n";
        let (list, check) = NumberList::text("list", text).open().unwrap();
        assert_eq!(check.numbers, 3);
        assert_eq!(check.duplicate_lines(), 2);
        assert_eq!(
            check.duplicates[0],
            Duplicate {
                line: 3,
                first_line: 1,
                number: "447700900001".to_owned()
            }
        );
        assert_eq!(
            numbers(&list),
            ["447700900001", "447700900002", "447700900003"]
        );
        let (list, check) = NumberList::text("list", text)
            .allow_duplicates(true)
            .open()
            .unwrap();
        assert_eq!((check.numbers, check.duplicate_lines()), (5, 0));
        assert_eq!(numbers(&list).len(), 5);
    }

    #[test]
    fn a_missing_file_is_an_error_that_names_it() {
        let error = NumberList::file("/nonexistent/numbers.txt")
            .open()
            .unwrap_err();
        assert!(
            error.to_string().contains("/nonexistent/numbers.txt"),
            "{error}"
        );
    }
}
