//! One JSONL line as the `clean` command handles it, through the library pieces: parse, find the text
//! field by dotted path, clean, build the record's report and serialise the record.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use textwash::record::Report;
use textwash::Pipeline;

fuzz_target!(|data: &[u8]| {
    static P: OnceLock<Pipeline> = OnceLock::new();
    let p = P.get_or_init(Pipeline::default_pipeline);
    let Ok(Value::Object(mut obj)) = serde_json::from_slice::<Value>(data) else { return };
    for path in ["text", "meta.body"] {
        let _ = textwash::io::field(&obj, path);
    }
    let Some(Value::String(text)) = textwash::io::field_mut(&mut obj, "text") else { return };
    let input = std::mem::take(text);
    let cleaned = p.clean(&input);
    *text = cleaned.text.clone();
    let report = serde_json::to_value(Report::new(&input, &cleaned, "UTF-8", 0)).expect("serialisable");
    obj.insert("textwash".into(), report);
    let line = serde_json::to_vec(&obj).expect("serialisable");
    assert!(!line.contains(&b'\n'), "a record must stay on one line");
});
