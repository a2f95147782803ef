//! Running the stages: load the input intermediate, load the stage's config, call the stage
//! crate, write the output atomically with its fingerprints. One file per command, `run.rs` for
//! `tifa run`, which chains them, and `output.rs` for what they share.

mod clean;
mod compare;
mod count;
mod cut;
mod lookup;
mod output;
mod report;
mod run;
mod segment;

pub(crate) use clean::*;
pub(crate) use compare::*;
pub(crate) use count::*;
pub(crate) use cut::*;
pub(crate) use lookup::*;
pub(crate) use output::*;
pub(crate) use report::*;
pub(crate) use run::*;
pub(crate) use segment::*;
