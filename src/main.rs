//! The `ranksense` command: parse, run one library call, print. All logic lives in the library.

use std::process::ExitCode;

fn main() -> ExitCode {
    ranksense::cli::main()
}
