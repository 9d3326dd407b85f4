//! Caps on what lowering may produce. Named groups and attribute groups are inlined where
//! they are used, so a chain of groups each using the next twice is small to write and
//! exponential to inline: twenty such levels are a million fields. A derived type is lowered
//! with its base, and its base's base, recursively, so a chain of twenty thousand derivations
//! overflows the stack. The caps stop both early, with an error at the reference that went
//! past them.

use crate::{Error, Location};

/// The most fields (or attributes) one type may have, its groups inlined. Real schemas stay
/// within a few hundred.
pub const MAX_FIELDS_PER_TYPE: usize = 10_000;

/// The most steps lowering a whole module may take: each field and attribute lowered and
/// each group inlined is one. The largest WSDL of the corpus (Salesforce's) takes some 7,000.
pub const MAX_STEPS: usize = 200_000;

/// The steps taken so far.
#[derive(Debug, Default)]
pub struct Budget {
    steps: usize,
}

impl Budget {
    /// Counts one step taken for what is at `at`; an error past [`MAX_STEPS`].
    pub fn step(&mut self, at: &Location) -> Result<(), Error> {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            return Err(Error::new(
                at.clone(),
                format!(
                    "lowering takes more than {MAX_STEPS} steps (fields, attributes and group uses) by here: groups that each use the next several times multiply"
                ),
            ));
        }
        Ok(())
    }
}

/// An error if a type has more than [`MAX_FIELDS_PER_TYPE`] fields (`what`: "fields" or
/// "attributes") once what is at `at` is inlined.
pub fn check_fields(count: usize, what: &str, at: &Location) -> Result<(), Error> {
    if count > MAX_FIELDS_PER_TYPE {
        return Err(Error::new(
            at.clone(),
            format!(
                "a type would have more than {MAX_FIELDS_PER_TYPE} {what} once its groups are inlined, this one among them"
            ),
        ));
    }
    Ok(())
}

/// The longest chain of base types a type may derive from. Real schemas stay within ten.
pub const MAX_DERIVATION_DEPTH: usize = 100;

/// An error at `at` if a chain of `depth` base types is longer than
/// [`MAX_DERIVATION_DEPTH`].
pub fn check_derivation(depth: usize, at: &Location) -> Result<(), Error> {
    if depth > MAX_DERIVATION_DEPTH {
        return Err(Error::new(
            at.clone(),
            format!("this type derives through more than {MAX_DERIVATION_DEPTH} base types"),
        ));
    }
    Ok(())
}
