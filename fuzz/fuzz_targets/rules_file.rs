//! The rules-file parser: any text as a rules file. It must be accepted or rejected with problems,
//! never panic; what is accepted must build into a pipeline (or fail with a build error) and run.
#![no_main]

use libfuzzer_sys::fuzz_target;
use textwash::{Pipeline, RuleSet};

const SAMPLE: &str = "Journal of Examples 3\nThe eco-\nnomic outlook\n\nhttps://news.example/a\n12\x0cand ﬁnally it ended.\n";

fuzz_target!(|src: &str| {
    match RuleSet::from_source(src, "fuzz.toml", 0) {
        Ok(rules) => {
            if let Ok(p) = Pipeline::new(&rules) {
                let c = p.clean(SAMPLE);
                assert_eq!(textwash::edit::apply_splices(SAMPLE, &c.splices), c.text);
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
