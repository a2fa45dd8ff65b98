//! Helpers shared by the integration tests: real article files in temporary directories,
//! the engine opened on them, and the `yunqi-bot` binary run on them.
#![allow(dead_code)] // each test binary uses its own subset

pub mod fake_telegram;
pub mod replica;
pub mod running_bot;

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
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
pub fn run(cmd: Command, stdin: Option<&str>) -> Output {
    run_bytes(cmd, stdin.map(str::as_bytes))
}

/// [`run`] with input that need not be UTF-8.
pub fn run_bytes(mut cmd: Command, stdin: Option<&[u8]>) -> Output {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run yunqi-bot");
    let mut pipe = child.stdin.take().expect("stdin");
    if let Some(input) = stdin {
        pipe.write_all(input).expect("write stdin");
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

/// Holds every index build on a workspace at a barrier until [`BuildGate::open`]: the
/// lexicon's user dictionary, which each build reads, becomes a named pipe, and reading
/// it waits until the test writes to it. So a test can make questions overlap a rebuild
/// for certain, not by luck, without a hook in the code under test. A gate dropped
/// unopened (a test failing while a build waits) opens, so the test reports its failure
/// instead of hanging on the waiting build.
pub struct BuildGate {
    fifo: PathBuf,
    contents: Vec<u8>,
    opened: bool,
}

impl BuildGate {
    /// Closes the gate: builds started from now on wait. Call it after the engine opened.
    pub fn close(ws: &Workspace) -> BuildGate {
        let fifo = ws.data_dir().join("lexicon").join("userdict.txt");
        let contents = std::fs::read(&fifo).expect("read the user dictionary");
        std::fs::remove_file(&fifo).expect("remove the user dictionary");
        let made = Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("run mkfifo");
        assert!(made.success(), "mkfifo failed");
        BuildGate {
            fifo,
            contents,
            opened: false,
        }
    }

    /// Lets the build waiting at the gate go on, and every later build through. Blocks
    /// until a build is waiting (run it on a blocking thread).
    pub fn open(self) {
        self.wait_for_build().release();
    }

    /// Waits until a build is at the gate and keeps it there until [`HeldBuild::release`]:
    /// such a build has read the articles once, to find their names, and has not yet
    /// indexed them.
    pub fn wait_for_build(mut self) -> HeldBuild {
        self.opened = true;
        // Opening the write end waits for the build holding the read end.
        let writer = std::fs::OpenOptions::new()
            .write(true)
            .open(&self.fifo)
            .expect("open the gate");
        HeldBuild {
            writer: Some(writer),
            fifo: self.fifo.clone(),
            contents: std::mem::take(&mut self.contents),
        }
    }
}

/// A build held at the gate (see [`BuildGate::wait_for_build`]); dropped unreleased, it
/// is released, so a failing test does not hang on it.
pub struct HeldBuild {
    writer: Option<std::fs::File>,
    fifo: PathBuf,
    contents: Vec<u8>,
}

impl HeldBuild {
    /// Lets the build go on, and every later build through.
    pub fn release(mut self) {
        self.feed();
    }

    fn feed(&mut self) {
        let Some(mut writer) = self.writer.take() else {
            return;
        };
        // The dictionary goes back to a plain file for the builds after this one, and then
        // the waiting build gets its contents.
        let plain = self.fifo.with_extension("plain");
        std::fs::write(&plain, &self.contents).expect("write the dictionary");
        std::fs::rename(&plain, &self.fifo).expect("put the dictionary back");
        writer
            .write_all(&self.contents)
            .expect("feed the waiting build");
    }
}

impl Drop for HeldBuild {
    fn drop(&mut self) {
        self.feed();
    }
}

impl Drop for BuildGate {
    fn drop(&mut self) {
        if self.opened {
            return;
        }
        // Opening the write end without blocking succeeds only while a build is waiting
        // at the gate; that end then feeds it (a dictionary is far below a pipe's buffer).
        let waiting = std::fs::OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&self.fifo);
        match waiting {
            Ok(writer) => HeldBuild {
                writer: Some(writer),
                fifo: self.fifo.clone(),
                contents: std::mem::take(&mut self.contents),
            }
            .release(),
            Err(_) => {
                let _ = std::fs::remove_file(&self.fifo);
                let _ = std::fs::write(&self.fifo, &self.contents);
            }
        }
    }
}

/// The resident memory of process `pid` in KiB, now and at its peak (Linux: `VmRSS` and
/// `VmHWM`), for the soak test's note.
pub fn rss_kib(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<u64> {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))?
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// Polls `check` every `every` until it gives a value, and returns it; fails the test
/// after `within` with the last explanation `check` gave (what it saw instead), so a test
/// waiting for the bot never hangs and says why it gave up.
pub async fn eventually<T>(
    within: std::time::Duration,
    every: std::time::Duration,
    mut check: impl AsyncFnMut() -> Result<T, String>,
) -> T {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match check().await {
            Ok(value) => return value,
            Err(seen) => assert!(
                tokio::time::Instant::now() < deadline,
                "gave up after {within:?}: {seen}"
            ),
        }
        tokio::time::sleep(every).await;
    }
}
