//! The embedded catalogue, parsed on a second thread while the server answers its first
//! messages. Assistants spawn the server and at once send `initialize` and `tools/list`,
//! which need only the skill's name and size; parsing 30-odd Markdown files with YAML
//! frontmatter is most of the start-up work, so it overlaps with that exchange instead
//! of delaying it. The first request that needs the catalogue waits for it (about a
//! millisecond, usually already done).

use super::{source, Catalog, CatalogError};
use std::sync::{Mutex, OnceLock};
use std::thread::JoinHandle;

pub struct LazyCatalog {
    /// The skill's name, known without parsing (the folder name).
    pub name: String,
    /// How many catalogue entries it holds (files `references/<id>.md`).
    pub entry_count: usize,
    cell: OnceLock<Catalog>,
    pending: Mutex<Option<JoinHandle<Result<Catalog, CatalogError>>>>,
}

impl LazyCatalog {
    /// A catalogue already built (a `--skill-dir`, validated before serving).
    pub fn ready(catalog: Catalog) -> Self {
        Self {
            name: catalog.name.clone(),
            entry_count: catalog.entries.len(),
            cell: OnceLock::from(catalog),
            pending: Mutex::new(None),
        }
    }

    /// The embedded skill, parsed in the background. It was validated by the test suite
    /// before the binary was built; if parsing still fails, the first use reports it and
    /// exits with status 2, as a broken `--skill-dir` does at start-up.
    pub fn embedded_in_background() -> Self {
        let raw = source::embedded();
        let name = raw.folder.clone();
        let entry_count = raw
            .files
            .iter()
            .filter(|f| super::entry_id(&f.path).is_some())
            .count();
        let handle = std::thread::Builder::new()
            .name("catalogue".into())
            .spawn(move || Catalog::build(raw));
        match handle {
            Ok(handle) => Self {
                name,
                entry_count,
                cell: OnceLock::new(),
                pending: Mutex::new(Some(handle)),
            },
            // No thread to be had: build it here.
            Err(_) => match Catalog::embedded() {
                Ok(catalog) => Self::ready(catalog),
                Err(e) => broken(&e),
            },
        }
    }
}

fn broken(e: &CatalogError) -> ! {
    eprintln!("async-patterns: invalid skill content: {e}");
    std::process::exit(2)
}

impl LazyCatalog {
    /// The catalogue, waiting for the background parse if it is still running (about a
    /// millisecond). An explicit call rather than a `Deref`, because it can block and,
    /// should the embedded skill be broken, exit the process with status 2.
    pub fn get(&self) -> &Catalog {
        self.cell.get_or_init(|| {
            let handle = self
                .pending
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take()
                .expect("a catalogue is either built or being built");
            match handle.join() {
                Ok(Ok(catalog)) => catalog,
                Ok(Err(e)) => broken(&e),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn background_catalogue_matches_the_eager_one() {
        let lazy = LazyCatalog::embedded_in_background();
        let eager = Catalog::embedded().unwrap();
        assert_eq!(lazy.name, eager.name);
        assert_eq!(lazy.entry_count, eager.entries.len());
        let ids: Vec<&str> = lazy.get().entries.iter().map(|e| e.id.as_str()).collect();
        let expected: Vec<&str> = eager.entries.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, expected);
    }
}
