//! Sector checklists (being written).
