//! SQL that both backends share word for word (their placeholders differ, so most statements
//! are written per backend).

/// The reason recorded for a request whose writer's lease expired: an expression over the
/// request's row.
pub(crate) const EXPIRED_WHILE_WRITING: &str =
    "'the lease of worker ' || COALESCE(worker, '?') || \
    ' expired while it was writing the request (attempt ' || attempt || \
    '): it may have reached the gateway'";

/// The reason recorded for an unknown request planned again on request: an expression over
/// the request's row.
pub(crate) const REQUEUED: &str =
    "'planned again on request; its outcome was unknown: ' || COALESCE(reason, '')";
