//! The `ranksense` command: parse, run one library call, print. All logic lives in the library;
//! the command-line interface is a private module of it, so it is not part of the library's API.

use std::process::ExitCode;

fn main() -> ExitCode {
    ranksense::run_command_line()
}
