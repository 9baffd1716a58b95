//! The `trustpub` binary: parse the command line, run, exit.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = trustpub::cli::Cli::parse();
    let choice = match cli.color {
        trustpub::cli::ColorWhen::Auto => anstream::ColorChoice::Auto,
        trustpub::cli::ColorWhen::Always => anstream::ColorChoice::Always,
        trustpub::cli::ColorWhen::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
    let mut out = anstream::stdout().lock();
    let mut err = anstream::stderr().lock();
    ExitCode::from(trustpub::cli::run(cli, &mut out, &mut err))
}
