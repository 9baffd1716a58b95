//! The `trustpub` binary: parse the command line, run, exit.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match trustpub::cli::Cli::try_parse() {
        Ok(cli) => cli,
        // Help and version are printed as clap prints them.
        Err(e) if !e.use_stderr() => e.exit(),
        // A usage error quotes the offending value, which may be a token given in the wrong
        // place (`trustpub explain eyJ...`): it is redacted like every other output.
        Err(e) => {
            let text = e.render().to_string();
            let text = trustpub::redact::redact(&text).into_owned();
            let _ = std::io::stderr().write_all(trustpub::sanitize::visible(&text).as_bytes());
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    let mut cli = cli;
    // Found from anywhere in the repository: the command runs where the desired state is.
    let located = std::env::current_dir()
        .map_err(|e| trustpub::error::InputError::Read {
            path: "the working directory".into(),
            reason: e.to_string(),
        })
        .and_then(|cwd| cli.locate(&cwd));
    match located {
        Ok(Some(root)) => {
            if let Err(e) = std::env::set_current_dir(&root) {
                eprintln!("error: {}: cannot enter: {e}", root.display());
                return ExitCode::from(2);
            }
        }
        Ok(None) => {}
        Err(e) => {
            let text = format!("error: {e}\n");
            let _ = std::io::stderr().write_all(trustpub::redact::redact(&text).as_bytes());
            return ExitCode::from(2);
        }
    }
    let choice = match cli.color.resolve(|name| std::env::var_os(name)) {
        trustpub::cli::ColorWhen::Auto => anstream::ColorChoice::Auto,
        trustpub::cli::ColorWhen::Always => anstream::ColorChoice::Always,
        trustpub::cli::ColorWhen::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
    let mut err = anstream::stderr().lock();
    // Only the human form has colours to keep or strip: the others go out as they are.
    let code = if cli.format == trustpub::render::Format::Human {
        trustpub::cli::run(cli, &mut anstream::stdout().lock(), &mut err)
    } else {
        trustpub::cli::run(cli, &mut std::io::stdout().lock(), &mut err)
    };
    ExitCode::from(code)
}
