//! The checkpoint writer hook of `hindsight convert`: follows the events being written and
//! hands the native writer the state before each chunk's first event.

use hindsight_format::event::EventRef;
use hindsight_format::header::TraceHeader;

use crate::state::{checkpoint, State};

/// Tracks state alongside a trace being converted.
#[derive(Debug, Default)]
pub struct Checkpointer {
    state: State,
}

impl Checkpointer {
    /// Starts from a section's header.
    pub fn new(h: &TraceHeader) -> Checkpointer {
        Checkpointer {
            state: State::from_header(h),
        }
    }

    /// A new section resets the state, as it does for sysdig.
    pub fn new_section(&mut self, h: &TraceHeader) {
        self.state = State::from_header(h);
    }

    /// The checkpoint of the current state (call before writing the chunk's first event).
    pub fn save(&self) -> Vec<u8> {
        checkpoint::save(&self.state)
    }

    /// Applies an event that was just written.
    pub fn apply(&mut self, ev: &EventRef<'_>) {
        self.state.apply(ev);
    }
}
