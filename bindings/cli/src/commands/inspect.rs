use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Print one JSON object per line per file.
    #[arg(long)]
    pub json: bool,
    /// Files to analyse.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

pub fn run(args: Args) -> ExitCode {
    let _ = (args.json, args.files);
    eprintln!("pec inspect: the PEC parser is not built yet");
    ExitCode::FAILURE
}
