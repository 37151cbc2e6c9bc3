//! The `textwash` command: thin glue over the library.

mod args;
mod clean;
mod diff_cmd;
mod exit;
mod input;
mod rules_cmd;

use std::process::ExitCode;

/// mimalloc rather than glibc malloc: see Cargo.toml.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;
use textwash::{Pipeline, RuleSet};

use args::{Cli, Command, RuleOptions};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // A rules file that parses but cannot be built (a regex set over its size limit) is as
            // much the user's rules problem as a syntax error.
            let code = if e.downcast_ref::<textwash::RulesError>().is_some()
                || e.downcast_ref::<textwash::pipeline::BuildError>().is_some()
                || e.downcast_ref::<UsageError>().is_some()
            {
                exit::USAGE
            } else {
                exit::FAILURES
            };
            eprintln!("textwash: error: {e:#}");
            ExitCode::from(code)
        }
    }
}

/// A mistake in what the user asked for: exit status 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Clean(args) => {
            let rules = load_rules(&args.rules)?;
            let pipeline = Pipeline::new(&rules)?;
            clean::run(args, pipeline)
        }
        Command::Diff(args) => {
            let rules = load_rules(&args.rules)?;
            if let Some(id) = &args.rule {
                if rules.rule(id).is_none() {
                    return Err(UsageError(format!(
                        "unknown rule `{id}` (see `textwash rules list` for the ids)"
                    ))
                    .into());
                }
            }
            let pipeline = Pipeline::new(&rules)?;
            diff_cmd::run(args, pipeline)
        }
        Command::Rules(cmd) => rules_cmd::run(cmd),
    }
}

/// The rules the options ask for: a file, a preset or the default, with --enable/--disable applied.
pub fn load_rules(opts: &RuleOptions) -> anyhow::Result<RuleSet> {
    let mut rules = match (&opts.rules, &opts.preset) {
        (Some(path), _) => RuleSet::load(path)?,
        (None, Some(name)) => RuleSet::preset(name)?,
        (None, None) => RuleSet::default_rules(),
    };
    for id in &opts.disable {
        rules.set_enabled(id, false).map_err(UsageError)?;
    }
    for id in &opts.enable {
        rules.set_enabled(id, true).map_err(UsageError)?;
    }
    Ok(rules)
}
