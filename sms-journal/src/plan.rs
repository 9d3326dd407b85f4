//! Planning a campaign: whether a journal resumes its campaign, refuses the one given, or
//! plans a new one, and the batches a [`Planner`](crate::Planner) sends to the store.

use crate::error::{Error, Result};
use crate::hash::CampaignHash;
use crate::model::CampaignInfo;
use crate::options::CampaignPolicy;

/// What opening a campaign does.
#[derive(Debug)]
pub(crate) enum Decision {
    /// The journal's campaign is the one given.
    Resume(CampaignInfo),
    /// A new campaign is planned.
    Plan,
}

/// Decides, from the journal's current campaign, what opening `hash` under `policy` does.
pub(crate) fn decide(
    current: Option<CampaignInfo>,
    hash: &CampaignHash,
    policy: CampaignPolicy,
) -> Result<Decision> {
    let Some(current) = current else {
        return Ok(Decision::Plan);
    };
    if policy == CampaignPolicy::AlwaysNew {
        return Ok(Decision::Plan);
    }
    if current.hash == *hash {
        return Ok(Decision::Resume(current));
    }
    if policy == CampaignPolicy::ReplaceIfDifferent {
        return Ok(Decision::Plan);
    }
    let what = match (
        current.hash.message_differs(hash),
        current.hash.recipients_differ(hash),
    ) {
        (true, true) => "another message and another recipient list",
        (true, false) => "another message",
        _ => "another recipient list",
    };
    Err(Error::CampaignMismatch {
        campaign: current.id,
        what,
        stored: Box::new(current.hash),
        given: Box::new(*hash),
    })
}

/// One request of a plan, with its numbers joined by line breaks.
#[derive(Debug)]
pub(crate) struct PlannedRequest {
    pub index: u64,
    pub first_position: u64,
    pub size: u64,
    pub numbers: String,
}

/// What a planner sends to the store.
#[derive(Debug)]
pub(crate) enum PlanMessage {
    /// The next requests, in order.
    Requests(Vec<PlannedRequest>),
    /// Every request was sent: the campaign's totals; the store commits.
    Finish { recipients: u64, requests: u64 },
}
