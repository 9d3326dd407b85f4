//! What both backends do with the schema version a store reports: each keeps its own list of
//! migrations (their SQL differs), and refuses a store newer than its list.

use crate::error::{Error, Result};

/// Refuses a store whose schema `version` is newer than the `supported` one (the length of
/// the backend's list of migrations).
pub(crate) fn check_version(location: &str, version: i64, supported: usize) -> Result<()> {
    let supported = supported as i64;
    if version > supported {
        return Err(Error::SchemaTooNew {
            location: location.to_owned(),
            found: version,
            supported,
        });
    }
    Ok(())
}
