//! The `tifa` binary. Everything is in the library ([`tifa_cli`]), which the Python package
//! shares.

fn main() -> std::process::ExitCode {
    tifa_cli::main()
}
