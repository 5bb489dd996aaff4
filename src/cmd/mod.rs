//! One module per subcommand.

pub mod convert;
pub mod fields;
pub mod info;
pub mod print;
pub mod record;
pub mod replay;
pub mod rules;
pub mod selection;
