//! `yunqi-bot serve` as a separate process, for the deployment tests: a webhook replica
//! (or a polling bot with `--listen`) against a [`FakeTelegram`], reached over loopback
//! HTTP like a reverse proxy would.

use std::net::SocketAddr;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::fake_telegram::{FakeTelegram, TOKEN};
use super::running_bot::WAIT;
use super::{eventually, Workspace};

/// The header Telegram sends a webhook's secret in.
pub const SECRET_HEADER: &str = "X-Telegram-Bot-Api-Secret-Token";

pub struct Replica {
    /// Where the process listens (`--listen 127.0.0.1:0`, as it reported).
    pub addr: SocketAddr,
    child: Child,
    /// Everything the process wrote to stderr so far.
    stderr: Arc<Mutex<Vec<String>>>,
    /// Copies stderr into `stderr` until the process closes it.
    drain: tokio::task::JoinHandle<()>,
    http: reqwest::Client,
}

impl Replica {
    /// Starts `yunqi-bot serve ARGS --listen 127.0.0.1:0` on `ws` against `fake`, with
    /// `vars` added to its environment, and waits until it says where it listens.
    pub async fn start(
        ws: &Workspace,
        fake: &FakeTelegram,
        args: &[&str],
        vars: &[(&str, &str)],
    ) -> Replica {
        let std_cmd = super::yunqi(ws);
        let mut cmd = Command::from(std_cmd);
        cmd.env("TELOXIDE_TOKEN", TOKEN)
            .env("TELOXIDE_API_URL", fake.url())
            .env("RUST_LOG", "info")
            .envs(vars.iter().copied())
            .arg("serve")
            .args(args)
            .args(["--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = cmd.spawn().expect("start yunqi-bot serve");
        let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let addr = tokio::time::timeout(WAIT * 4, async {
            while let Ok(Some(line)) = lines.next_line().await {
                stderr.lock().expect("stderr lock").push(line.clone());
                if let Some(addr) = line.strip_prefix("listening on http://") {
                    return addr.trim().parse::<SocketAddr>().ok();
                }
            }
            None
        })
        .await
        .ok()
        .flatten();
        let Some(addr) = addr else {
            let _ = child.start_kill();
            panic!("serve did not start listening: {:#?}", stderr.lock());
        };
        // Keep draining stderr so the process never blocks on a full pipe.
        let collected = stderr.clone();
        let drain = tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                collected.lock().expect("stderr lock").push(line);
            }
        });
        Replica {
            addr,
            child,
            stderr,
            drain,
            http: reqwest::Client::new(),
        }
    }

    /// The process's resident memory in KiB, now and at its peak (see [`super::rss_kib`]).
    pub fn rss_kib(&self) -> Option<(u64, u64)> {
        super::rss_kib(self.child.id()?)
    }

    /// What the process wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().expect("stderr lock").join("\n")
    }

    /// GETs `path`; the status and body.
    pub async fn get(&self, path: &str) -> (u16, String) {
        let response = self
            .http
            .get(format!("http://{}{path}", self.addr))
            .send()
            .await
            .expect("GET");
        let status = response.status().as_u16();
        (status, response.text().await.unwrap_or_default())
    }

    /// POSTs an update to the webhook at `path` as Telegram does, with `secret` in the
    /// secret header (none: without the header); the HTTP status.
    pub async fn deliver(&self, path: &str, secret: Option<&str>, update: &Value) -> u16 {
        let mut request = self
            .http
            .post(format!("http://{}{path}", self.addr))
            .json(update);
        if let Some(secret) = secret {
            request = request.header(SECRET_HEADER, secret);
        }
        request.send().await.expect("POST").status().as_u16()
    }

    /// Waits until `/readyz` answers 200; its body.
    pub async fn wait_ready(&self) -> String {
        self.wait_for("/readyz", |status, _| status == 200).await
    }

    /// Waits until `/metrics` satisfies `done`, within `within`; the metrics text.
    pub async fn wait_for_metrics(&self, within: Duration, done: impl Fn(&str) -> bool) -> String {
        eventually(within, Duration::from_millis(100), async || {
            let (status, body) = self.get("/metrics").await;
            if status == 200 && done(&body) {
                Ok(body)
            } else {
                Err(format!(
                    "metrics never got there: {body}\nstderr: {}",
                    self.stderr()
                ))
            }
        })
        .await
    }

    pub async fn wait_for(&self, path: &str, done: impl Fn(u16, &str) -> bool) -> String {
        eventually(WAIT, Duration::from_millis(50), async || {
            let (status, body) = self.get(path).await;
            if done(status, &body) {
                Ok(body)
            } else {
                Err(format!(
                    "{path} answered {status} {body}\nstderr: {}",
                    self.stderr()
                ))
            }
        })
        .await
    }

    /// Sends SIGTERM, as a service manager stops the process, and waits for it to exit.
    pub async fn terminate(mut self) -> (ExitStatus, String) {
        let pid = self.child.id().expect("still running");
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -TERM {pid} failed");
        let status = tokio::time::timeout(WAIT, self.child.wait())
            .await
            .expect("stops within the wait")
            .expect("wait");
        // The rest of stderr arrives until the pipe's end.
        let _ = tokio::time::timeout(WAIT, &mut self.drain).await;
        (status, self.stderr())
    }
}

/// The value of the metric line `name` (with its labels, if any), if present.
pub fn metric(metrics: &str, name: &str) -> Option<f64> {
    metrics
        .lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
}
