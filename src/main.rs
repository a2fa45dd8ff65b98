//! The `yunqi-bot` binary: parse the command line, read the configuration, run the command,
//! and report an error once, here. The command line (`cli`), the configuration (`config`)
//! and the commands with everything they print (`cmd`) live in the binary; the library
//! knows nothing of them.

mod cli;
mod cmd;
mod config;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};
use config::Config;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    config::load_env_file();
    // A usage error (unknown flag, bad value in a flag or its variable) exits with 2 here.
    let cli = Cli::parse();
    match try_main(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`yunqi-bot ask … | head`) is the reader's choice, not an error.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .filter_map(|e| e.downcast_ref::<std::io::Error>())
        .any(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}

fn try_main(cli: Cli) -> anyhow::Result<()> {
    let config = Config::new(cli.options, |name| std::env::var(name).ok())?;
    match cli.command {
        Command::Index => cmd::index(&config),
        Command::Ask {
            top,
            json,
            question,
        } => cmd::ask(&config, top.into(), json, &question),
        Command::Eval {
            file,
            top,
            verbose,
            sweep,
            fit,
        } => {
            let options = cmd::EvalOptions {
                top: top.into(),
                verbose,
                sweep,
                fit,
            };
            cmd::eval(&config, &file, options)
        }
        Command::Serve(args) => cmd::serve(&config, &args),
        Command::Add { file } => cmd::add(&config, &file),
        Command::Remove { id } => cmd::remove(&config, &id),
        Command::Articles => cmd::articles(&config),
    }
}
