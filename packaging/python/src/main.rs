fn main() -> std::process::ExitCode {
    async_patterns::cli::main()
}
