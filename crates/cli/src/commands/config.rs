//! `migrationai config`: the configuration table, from the declarations the code reads.

use std::process::ExitCode;

use migrationai_host::settings::{markdown, vars};

#[derive(clap::Args)]
pub struct Args {
    /// Print the README's Markdown table (else one variable a line: name, type, default).
    #[arg(long)]
    markdown: bool,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    if a.markdown {
        print!("{}", markdown::table());
    } else {
        for var in vars::ALL {
            println!(
                "{}\t{}\t{}",
                var.name,
                var.ty.describe(),
                var.default.unwrap_or("-")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
