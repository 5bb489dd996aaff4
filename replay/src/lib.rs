//! placeholder
pub mod output;
pub mod bundled;
