//! Fields: the catalogue of every field name usable in conditions and output formats.
//!
//! [`catalog`] owns the descriptors (name, argument form, type, flags, description) and the
//! stable [`FieldId`] of each field. Extraction of values from events and state lives beside
//! it (added by the engine) and implements [`crate::rules::FieldSource`].

pub mod catalog;

pub use catalog::{field, lookup, ArgForm, FieldId, FieldInfo, FieldType, FIELDS};

pub mod container;
pub mod ctx;
pub mod evt;
pub mod extract;
pub mod fd;
pub mod fdlist;
pub mod fspath;
pub mod proc;
pub mod render;
pub mod sanitize;
pub mod syscat;
pub mod user;
pub mod value;
