//! The zeoraid generator (config → plan → render/codegen → compile → stage).

pub mod codegen;
pub mod compile;
