//! The zeoraid generator (being written).
