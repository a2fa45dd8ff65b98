//! The real bot (`telegram::run`) running against a [`FakeTelegram`] on a workspace, for
//! end-to-end tests; stopped, and checked to stop cleanly, with [`RunningBot::stop`].

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use yunqi_bot::answer::Engine;
use yunqi_bot::telegram::{self, BotError, BotOptions};

#[allow(unused_imports)] // not every test binary uses it
pub use super::fake_telegram::text_of;
use super::fake_telegram::{Call, FakeTelegram};
use super::Workspace;

/// How long a test waits for something the bot should do before failing.
pub const WAIT: Duration = Duration::from_secs(15);

pub struct RunningBot {
    pub fake: FakeTelegram,
    pub ws: Workspace,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), BotError>>,
}

impl RunningBot {
    /// Starts the bot on `ws` and waits until it polls for updates.
    pub async fn start(ws: Workspace, options: BotOptions) -> RunningBot {
        let engine = ws.engine();
        Self::start_with_engine(ws, engine, options).await
    }

    /// [`RunningBot::start`] with an engine opened on `ws` with settings of the test's own.
    pub async fn start_with_engine(
        ws: Workspace,
        engine: Engine,
        options: BotOptions,
    ) -> RunningBot {
        let engine = Arc::new(engine);
        let fake = FakeTelegram::start().await;
        let (stop, stopped) = oneshot::channel::<()>();
        let bot = fake.bot_with_timeout(options.api_timeout);
        let task = tokio::spawn(telegram::run(bot, engine, options, async {
            let _ = stopped.await;
        }));
        fake.wait_for("getUpdates", 1, WAIT).await;
        RunningBot {
            fake,
            ws,
            stop,
            task,
        }
    }

    pub async fn stop(self) {
        let _ = self.stop.send(());
        let result = tokio::time::timeout(WAIT, self.task).await;
        assert!(
            matches!(result, Ok(Ok(Ok(())))),
            "bot did not stop cleanly: {result:?}"
        );
    }

    /// Waits for the `n`-th successful sendMessage (1-based) and returns it.
    pub async fn nth_reply(&self, n: usize) -> Call {
        self.fake.wait_for("sendMessage", n, WAIT).await[n - 1].clone()
    }

    /// The texts sent to `chat`, once there are at least `count`.
    pub async fn replies_to(&self, chat: i64, count: usize) -> Vec<String> {
        self.fake.replies_to(chat, count, WAIT).await
    }
}
