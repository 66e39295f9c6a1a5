//! The staff audience: the full policy on the intranet. Its web pages (the library, policy pages,
//! landing page and accessibility statement), its search index, and its PDF design.
//!
//! Gets staff views only; the staff-only metadata (`StaffDetails`) is shown here and nowhere else.

pub mod browse;
pub mod changes;
pub mod pages;
pub mod pdf;
pub mod report;
pub mod search;
