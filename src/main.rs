//! The `ranksense` command: parse, run one library call, print. All logic lives in the library;
//! the command-line interface is part of this binary, not of the library's public API.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
