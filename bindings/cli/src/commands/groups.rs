//! `pec groups ls|add|rm|member`: recipient lists of contacts. `pec send --to GROUP` sends to
//! each member (its first certified address, else its first).

use crate::facade::{block, exit, open, print_json};
use crate::out::say;
use std::path::Path;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: GroupsCommand,
}

#[derive(clap::Subcommand)]
pub enum GroupsCommand {
    /// Groups and their members.
    Ls {
        #[arg(long)]
        json: bool,
    },
    Add {
        name: String,
    },
    Rm {
        name: String,
    },
    /// Put a contact (by id or address) in a group, or take it out with --remove.
    Member {
        group: String,
        contact: String,
        #[arg(long)]
        remove: bool,
    },
}

pub fn run(data_dir: &Path, args: Args) -> ExitCode {
    exit(run_inner(data_dir, args))
}

fn run_inner(data_dir: &Path, args: Args) -> Result<(), String> {
    let app = open(data_dir)?;
    let err = |e: pec_ffi::PecError| e.to_string();
    match args.command {
        GroupsCommand::Ls { json } => {
            let groups = block(app.groups()).map_err(err)?;
            if json {
                return print_json(&groups);
            }
            for g in groups {
                say!("{}: {}", g.name, g.members.join(", "));
            }
        }
        GroupsCommand::Add { name } => {
            block(app.add_group(name.clone())).map_err(err)?;
            say!("group {name} ready");
        }
        GroupsCommand::Rm { name } => {
            block(app.remove_group(name.clone())).map_err(err)?;
            say!("group {name} removed");
        }
        GroupsCommand::Member {
            group,
            contact,
            remove,
        } => {
            let id = super::contacts::find(&app, &contact)?
                .id
                .unwrap_or_default();
            block(app.set_group_member(group.clone(), id, !remove)).map_err(err)?;
            say!("{}", if remove { "taken out" } else { "added" });
        }
    }
    Ok(())
}
