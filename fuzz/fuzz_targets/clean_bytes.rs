//! The whole pipeline on bytes: decode (any encoding), clean with the default rules, and check that
//! the edit log reproduces the output and that cleaning the output changes nothing (idempotence).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use textwash::decode::decode;
use textwash::edit::apply_splices;
use textwash::Pipeline;

fuzz_target!(|data: &[u8]| {
    static P: OnceLock<Pipeline> = OnceLock::new();
    let p = P.get_or_init(Pipeline::default_pipeline);
    let d = decode(data);
    let c = p.clean(&d.text);
    let mut end = 0;
    for s in &c.splices {
        assert!(s.range.start >= end && s.range.start <= s.range.end, "splices out of order");
        assert!(d.text.is_char_boundary(s.range.start) && d.text.is_char_boundary(s.range.end));
        end = s.range.end;
    }
    assert_eq!(apply_splices(&d.text, &c.splices), c.text, "the edit log does not reproduce the output");
    let _ = c.removed().count();
    assert_eq!(p.clean(&c.text).text, c.text, "cleaning the output changed it");
});
