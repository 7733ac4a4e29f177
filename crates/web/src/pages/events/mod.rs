//! One event: its page (with schema.org JSON-LD, h-event and OpenGraph),
//! its .ics download, answering, and the editors' tools (edit the series,
//! one occurrence, or this and following; cancel; attendees).

mod attendees;
mod cancel;
mod edit;
mod following;
pub(crate) mod form;
mod member_feed;
mod occurrence;
mod repeat_choices;
mod rsvp;
mod show;
mod time_zone;

pub use attendees::attendees;
pub use cancel::{cancel, delete};
pub use edit::{edit_form, update};
pub use following::{following, following_form};
pub use member_feed::{member_feed, new_member_feed};
pub use occurrence::{occurrence, occurrence_form};
pub use repeat_choices::{event_form_script, repeat_choices};
pub use rsvp::rsvp;
pub use show::show;
pub use time_zone::set_time_zone;

use serde::Deserialize;

/// `?at=` names an occurrence of a series.
#[derive(Debug, Default, Deserialize)]
pub struct At {
    /// The occurrence key (`20261208T190000`).
    pub at: Option<String>,
    /// Notice code.
    pub done: Option<String>,
    /// A zone to show times in.
    pub tz: Option<String>,
    /// `csv` for the attendee list as a file.
    pub format: Option<String>,
}
