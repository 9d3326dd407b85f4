//! Reading Clickatell's answers: every operation answers text lines, such as `OK: <session>`,
//! `ID: <apimsgid> To: <number>`, `Credit: 10.5` or `ERR: 105, Invalid destination address`.

use super::codes::ErrorCode;

/// One line of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Line<'a> {
    /// `OK: <value>`: `auth`'s session id, or nothing (`ping`).
    Ok(&'a str),
    /// `ID: <apimsgid>`, maybe followed by `To: <number>` (a send to several numbers) or
    /// `Status: <code>` (`querymsg`).
    Id {
        id: &'a str,
        to: Option<&'a str>,
        status: Option<&'a str>,
    },
    /// `ERR: <code>, <text>`, maybe followed by `To: <number>`.
    Err {
        code: ErrorCode,
        to: Option<&'a str>,
    },
    /// `Credit: <amount>` (`getbalance`).
    Credit(&'a str),
}

impl<'a> Line<'a> {
    /// Reads a line; `None` if it is in none of the documented forms.
    pub(crate) fn parse(line: &'a str) -> Option<Self> {
        let line = line.trim();
        let (tag, rest) = line.split_once(':')?;
        let rest = rest.trim();
        match tag.trim() {
            "OK" => Some(Self::Ok(rest)),
            "Credit" => Some(Self::Credit(rest)),
            "ID" => {
                let mut words = rest.split_whitespace();
                let id = words.next()?;
                let (mut to, mut status) = (None, None);
                while let Some(word) = words.next() {
                    match word {
                        "To:" => to = Some(words.next()?),
                        "Status:" => status = Some(words.next()?),
                        _ => return None,
                    }
                }
                Some(Self::Id { id, to, status })
            }
            "ERR" => {
                // The text after the code is free; only a final `To: <number>` is read.
                let (code, text) = rest.split_once(',').unwrap_or((rest, ""));
                let code = code.trim();
                if code.is_empty() || !code.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let to = text
                    .rsplit_once("To:")
                    .map(|(_, number)| number.trim())
                    .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
                Some(Self::Err {
                    code: ErrorCode::from_number(code.parse().ok()?),
                    to,
                })
            }
            _ => None,
        }
    }

    /// The error code, if the line is an error.
    pub(crate) fn error(self) -> Option<ErrorCode> {
        match self {
            Self::Err { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// Whether every line of an answer is an error refusing the login or session (001, 003,
/// 005): the gateway refused the whole call before doing anything. An empty answer is not.
pub(crate) fn refused_session(lines: &[String]) -> bool {
    !lines.is_empty()
        && lines.iter().all(|line| {
            Line::parse(line)
                .and_then(Line::error)
                .is_some_and(ErrorCode::is_session_error)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_form_is_read() {
        assert_eq!(
            Line::parse("OK: 0123456789abcdef"),
            Some(Line::Ok("0123456789abcdef"))
        );
        assert_eq!(Line::parse("OK:"), Some(Line::Ok("")));
        assert_eq!(Line::parse("Credit: 48.5"), Some(Line::Credit("48.5")));
        assert_eq!(
            Line::parse("ID: 996411ad91fa211e"),
            Some(Line::Id {
                id: "996411ad91fa211e",
                to: None,
                status: None
            })
        );
        assert_eq!(
            Line::parse("ID: 996411ad To: 447700900001"),
            Some(Line::Id {
                id: "996411ad",
                to: Some("447700900001"),
                status: None
            })
        );
        assert_eq!(
            Line::parse("ID: 996411ad Status: 004"),
            Some(Line::Id {
                id: "996411ad",
                to: None,
                status: Some("004")
            })
        );
        assert_eq!(
            Line::parse("ERR: 105, Invalid destination address To: 447700900001"),
            Some(Line::Err {
                code: ErrorCode::InvalidDestinationAddress,
                to: Some("447700900001")
            })
        );
        assert_eq!(
            Line::parse("ERR: 003, Session ID expired"),
            Some(Line::Err {
                code: ErrorCode::SessionExpired,
                to: None
            })
        );
        assert_eq!(
            Line::parse("ERR: 999"),
            Some(Line::Err {
                code: ErrorCode::Other(999),
                to: None
            })
        );
        for bad in [
            "",
            "hello",
            "ERR: x, y",
            "ID:",
            "ID: a b",
            "ID: a To:",
            "NO: 1",
        ] {
            assert_eq!(Line::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn only_an_answer_of_session_errors_refuses_the_session() {
        let lines = |l: &[&str]| l.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(refused_session(&lines(&["ERR: 003, Session ID expired"])));
        assert!(refused_session(&lines(&[
            "ERR: 001, Authentication failed",
            "ERR: 005, Missing session ID"
        ])));
        assert!(!refused_session(&lines(&[])));
        assert!(!refused_session(&lines(&["ERR: 002, Unknown username"])));
        assert!(!refused_session(&lines(&[
            "ERR: 003, Session ID expired",
            "ID: abc To: 447700900001"
        ])));
    }
}
