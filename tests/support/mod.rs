//! Helpers shared by the integration tests: real article files in temporary directories,
//! the engine opened on them, and the `yunqi-bot` binary run on them.
#![allow(dead_code)] // each test binary uses its own subset

pub mod fake_telegram;
pub mod replica;
pub mod running_bot;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use tempfile::TempDir;
use yunqi_bot::answer::{Engine, EngineConfig, Settings};

/// The article shipped in `data/`, used as the corpus of every end-to-end test.
pub const SHIPPED_ARTICLE: &str = "000_93422ca121d765e5.md";

/// A small article of one paragraph that the shipped article does not answer: added,
/// removed and uploaded by the admin tests.
pub const HANGZHOU: &str =
    "---\ntitle: 雲棲小鎮\n---\n雲棲小鎮位於杭州西湖區，是雲棲大會的舉辦地。\n";

/// A temporary workspace with `data/` (a copy of the shipped article and lexicon) and an
/// empty `index/` beside it; both vanish when it is dropped.
pub struct Workspace {
    pub root: TempDir,
}

impl Workspace {
    /// A workspace holding a copy of the shipped data directory.
    pub fn with_shipped_data() -> Workspace {
        let ws = Workspace::empty();
        copy_dir(&repo_path("data"), &ws.data_dir());
        ws
    }

    /// A workspace with an empty data directory.
    pub fn empty() -> Workspace {
        let root = tempfile::tempdir().expect("create temp dir");
        std::fs::create_dir_all(root.path().join("data")).expect("create data dir");
        Workspace { root }
    }

    pub fn data_dir(&self) -> PathBuf {
        self.root.path().join("data")
    }

    pub fn index_dir(&self) -> PathBuf {
        self.root.path().join("index")
    }

    /// Writes an article file into the data directory.
    pub fn write_article(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.data_dir().join(name);
        std::fs::write(&path, contents).expect("write article");
        path
    }

    pub fn engine_config(&self) -> EngineConfig {
        EngineConfig {
            data_dir: self.data_dir(),
            index_dir: self.index_dir(),
            settings: Settings::default(),
        }
    }

    /// Opens the engine (building the index) on this workspace.
    pub fn engine(&self) -> Engine {
        self.engine_with(Settings::default())
    }

    /// [`Workspace::engine`] with other settings (thresholds, script).
    pub fn engine_with(&self, settings: Settings) -> Engine {
        let config = EngineConfig {
            settings,
            ..self.engine_config()
        };
        Engine::open(&config).expect("open engine").0
    }
}

/// A path inside the repository.
pub fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// The binary, pointed at the workspace, with no `.env` or environment leaking in: it runs
/// away from the repository, with only `PATH`, `DATA_DIR` and `INDEX_DIR` set.
pub fn yunqi(ws: &Workspace) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_yunqi-bot"));
    cmd.current_dir(ws.root.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("DATA_DIR", ws.data_dir())
        .env("INDEX_DIR", ws.index_dir());
    cmd
}

/// Runs `cmd` to the end with `stdin` as its input (none: an empty, closed stdin).
pub fn run(mut cmd: Command, stdin: Option<&str>) -> Output {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run yunqi-bot");
    let mut pipe = child.stdin.take().expect("stdin");
    if let Some(input) = stdin {
        pipe.write_all(input.as_bytes()).expect("write stdin");
    }
    drop(pipe);
    child.wait_with_output().expect("wait")
}

/// `yunqi-bot ARGS...` on the workspace, run to the end.
pub fn run_args(ws: &Workspace, args: &[&str]) -> Output {
    let mut cmd = yunqi(ws);
    cmd.args(args);
    run(cmd, None)
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
