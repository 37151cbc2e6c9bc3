//! Every shipped rules file is valid, every rule documents itself, and every example holds.

use textwash::rules::{RuleSet, PRESETS};
use textwash::Pipeline;

#[test]
fn every_preset_loads_and_builds() {
    for (name, _) in PRESETS {
        let set = RuleSet::preset(name).unwrap_or_else(|e| panic!("{e}"));
        Pipeline::new(&set).unwrap();
    }
}

#[test]
fn every_rule_has_a_summary_a_why_and_examples_of_both_kinds() {
    for (name, _) in PRESETS {
        for stage in RuleSet::preset(name).unwrap().stages {
            for r in stage.rules {
                assert!(!r.summary.is_empty() && !r.why.is_empty(), "{name}/{}: summary and why", r.id);
                assert!(
                    r.examples.iter().any(|e| e.input != e.output),
                    "{name}/{}: needs an example of what it changes",
                    r.id
                );
                assert!(
                    r.examples.iter().any(|e| e.input == e.output || e.output.len() >= e.input.len() - 2),
                    "{name}/{}: needs an example of what it leaves alone",
                    r.id
                );
            }
        }
    }
}

#[test]
fn every_example_holds() {
    let mut failures = Vec::new();
    for (name, _) in PRESETS {
        let set = RuleSet::preset(name).unwrap();
        let pipeline = Pipeline::new(&set).unwrap();
        for stage in set.stages.iter().filter(|s| s.enabled) {
            for r in stage.rules.iter().filter(|r| r.enabled) {
                for ex in &r.examples {
                    let got = pipeline.clean(&ex.input).text;
                    if got != ex.output {
                        failures.push(format!(
                            "{name}/{}: {:?} gave {:?}, not {:?}",
                            r.id, ex.input, got, ex.output
                        ));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
