//! The weight analyses: how ranks depend on the weights alone, with the data and every other
//! choice at their nominal values. Scores linear in the weights ([`linear`]), exact best and
//! worst ranks over a weight polytope ([`bounds`]), the interval each weight can move in and the
//! smallest move that changes a rank ([`stability`]), the index-level requests and reports that
//! run them ([`exact`]), one weight swept or three sibling weights mapped ([`sweep`]), and each
//! element dropped in turn ([`drop`]).

pub mod bounds;
mod differences;
pub mod drop;
pub mod exact;
pub mod linear;
mod solve;
pub mod stability;
pub mod sweep;
