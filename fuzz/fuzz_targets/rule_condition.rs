//! Fuzz target: hostile condition text through the parser, the compiler and a rules file.
//!
//! Whatever the input, parsing, macro expansion, typing and compilation must return an error
//! or a condition, never panic or overflow the stack.

#![no_main]

use hindsight_replay::rules::{ast::SrcId, compile_filter, parse::parse_condition, Loader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = parse_condition(text, SrcId(0));
    let _ = compile_filter(text, None);
    let mut loader = Loader::new();
    loader.add_str("fuzz.yaml", &format!("- macro: m\n  condition: {text:?}\n- rule: r\n  desc: d\n  condition: m\n  output: o\n  priority: info\n"));
    let _ = loader.finish();
});
