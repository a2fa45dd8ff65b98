//! A fake Telegram Bot API server on 127.0.0.1, strict the way Telegram is, so that the
//! real bot with teloxide's real HTTP client can be tested end to end.
//!
//! It serves `getUpdates` from a queue the test fills, records every call, and answers
//! like Telegram: complete `Message` objects (teloxide silently drops what it cannot
//! deserialize), method names matched case-insensitively, 401 for a wrong token, 400 for
//! HTML it cannot parse, text over 4096 characters, callback data over 64 bytes or more
//! than 50 inline results, and 429, 502, a dropped connection or a late answer when a test
//! asks for them.
//!
//! Webhooks as Telegram keeps them: `setWebhook` refuses a URL that is not HTTPS or not on
//! port 443, 80, 88 or 8443 and a malformed secret token; while a webhook is set,
//! `getUpdates` fails with 409 Conflict; `getWebhookInfo` reports it and `deleteWebhook`
//! removes it. The fake never delivers to the webhook: tests POST updates to the bot's
//! listener themselves ([`FakeTelegram::take_updates`]). Test-only knob:
//! [`FakeTelegram::accept_loopback_webhooks`] lets `http://127.0.0.1:ANY_PORT/…` through,
//! as a self-hosted Bot API server in `--local` mode does.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use serde_json::{json, Value};

pub const TOKEN: &str = "123456:TEST-token_for_the_fake";
pub const BOT_ID: i64 = 900_001;
pub const BOT_USERNAME: &str = "yunqi_test_bot";

/// Telegram's limits, as the fake enforces them.
const MAX_TEXT_UTF16: usize = 4096;
const MAX_CALLBACK_DATA_BYTES: usize = 64;
const MAX_INLINE_RESULTS: usize = 50;
/// The longest a `getUpdates` call waits for an update (Telegram honours `timeout`; the
/// fake caps it so that tests and shutdown stay quick).
const MAX_POLL_WAIT: Duration = Duration::from_millis(300);
/// How often a test's wait looks at what was recorded.
const POLL: Duration = Duration::from_millis(20);

/// How a method should fail the next time it is called.
#[derive(Debug, Clone)]
pub enum Failure {
    /// 429 Too Many Requests with `retry_after` seconds.
    RetryAfter(u64),
    /// A bare HTTP status with an HTML body, as a proxy in front of Telegram sends (502).
    Status(u16),
    /// 400 Bad Request with Telegram's description, as for a message deleted meanwhile.
    BadRequest(&'static str),
    /// The connection is closed without an answer, before the request is acted on (as a
    /// proxy or a network going down does); recorded with status 0.
    Hangup,
    /// Answered as usual, but only after this long: the request is acted on (and
    /// recorded, with `late`) at once, as a slow server does, so a client that gave up
    /// meanwhile cannot know whether it was.
    Late(Duration),
}

/// One call the bot made (status 0: the fake hung up).
#[derive(Debug, Clone)]
pub struct Call {
    /// As Telegram spells it (`sendMessage`), whatever case the bot used.
    pub method: String,
    pub params: Value,
    /// The HTTP status the fake answered with.
    pub status: u16,
    /// Telegram's error description, for failed calls.
    pub error: Option<String>,
    /// What the fake answered, for successful calls (the sent `Message`, …).
    pub result: Value,
    /// The answer was held back ([`Failure::Late`]).
    pub late: bool,
}

#[derive(Default)]
struct Inner {
    updates: VecDeque<Value>,
    next_update_id: i64,
    next_message_id: i64,
    calls: Vec<Call>,
    failures: HashMap<String, VecDeque<Failure>>,
    /// Messages that exist, by (chat id, message id): what users sent and the bot sent.
    messages: HashMap<(i64, i64), Value>,
    /// Downloadable files: file_id → (file_path, bytes).
    files: HashMap<String, (String, Vec<u8>)>,
    /// The webhook set with `setWebhook`, if any.
    webhook: Option<WebhookSet>,
    /// Accept http and any port on a loopback host (see the module's documentation).
    loopback_webhooks: bool,
}

/// A webhook as `setWebhook` left it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSet {
    pub url: String,
    pub secret_token: Option<String>,
}

/// A running fake server; it stops when dropped.
pub struct FakeTelegram {
    addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

/// Known methods, lowercase → Telegram's spelling.
const METHODS: &[&str] = &[
    "getMe",
    "getUpdates",
    "setWebhook",
    "deleteWebhook",
    "getWebhookInfo",
    "setMyCommands",
    "sendMessage",
    "editMessageText",
    "answerCallbackQuery",
    "answerInlineQuery",
    "getFile",
    "sendChatAction",
];

impl FakeTelegram {
    /// Starts the server on an ephemeral loopback port (on the current tokio runtime).
    pub async fn start() -> FakeTelegram {
        let inner = Arc::new(Mutex::new(Inner {
            next_update_id: 1,
            next_message_id: 1000,
            ..Inner::default()
        }));
        let app = Router::new()
            .route("/{*path}", any(handle))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        FakeTelegram {
            addr,
            inner,
            _shutdown: tx,
        }
    }

    /// The base URL to give the bot (`TELOXIDE_API_URL`).
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// A teloxide `Bot` pointed at this server.
    pub fn bot(&self) -> teloxide::Bot {
        self.bot_with_timeout(yunqi_bot::telegram::DEFAULT_API_TIMEOUT)
    }

    /// [`FakeTelegram::bot`] whose requests time out after `timeout`, as `serve
    /// --api-timeout` builds it (give the bot the same `BotOptions::api_timeout`).
    pub fn bot_with_timeout(&self, timeout: Duration) -> teloxide::Bot {
        let url = self.url().parse().expect("fake url");
        let client = yunqi_bot::telegram::api_client(timeout)
            .build()
            .expect("HTTP client");
        teloxide::Bot::with_client(TOKEN, client).set_api_url(url)
    }

    /// Test-only: accepts `http://` webhook URLs on any port of 127.0.0.1 or localhost, as
    /// a self-hosted Bot API server in `--local` mode does; real Telegram refuses them.
    pub fn accept_loopback_webhooks(&self) {
        self.lock().loopback_webhooks = true;
    }

    /// The webhook currently set, if any.
    pub fn webhook(&self) -> Option<WebhookSet> {
        self.lock().webhook.clone()
    }

    /// Takes the queued updates out of the queue (so `getUpdates` never sees them), for a
    /// test to deliver to a webhook itself.
    pub fn take_updates(&self) -> Vec<Value> {
        self.lock().updates.drain(..).collect()
    }

    /// Makes the next `count` calls of `method` fail with `failure`.
    pub fn fail_next(&self, method: &str, failure: Failure, count: usize) {
        let mut inner = self.lock();
        let queue = inner
            .failures
            .entry(method.to_ascii_lowercase())
            .or_default();
        queue.extend(std::iter::repeat_n(failure, count));
    }

    /// Registers a file the bot can fetch with `getFile` and download.
    pub fn add_file(&self, file_id: &str, file_path: &str, bytes: &[u8]) {
        let mut inner = self.lock();
        inner
            .files
            .insert(file_id.to_owned(), (file_path.to_owned(), bytes.to_vec()));
    }

    /// Queues a message from a user in a private chat; returns its message id.
    pub fn user_says(&self, user_id: i64, text: &str) -> i64 {
        self.push_message(private_chat(user_id), user(user_id), text, None, None)
    }

    /// Queues a private message replying to `reply_to` (a message id in that chat).
    pub fn user_replies(&self, user_id: i64, text: &str, reply_to: i64) -> i64 {
        self.push_message(
            private_chat(user_id),
            user(user_id),
            text,
            Some(reply_to),
            None,
        )
    }

    /// Queues a message from a user in a group (supergroup) chat.
    pub fn group_message(&self, chat_id: i64, user_id: i64, text: &str) -> i64 {
        self.push_message(group_chat(chat_id), user(user_id), text, None, None)
    }

    /// Queues a group message replying to `reply_to` (a message id in that chat).
    pub fn group_reply(&self, chat_id: i64, user_id: i64, text: &str, reply_to: i64) -> i64 {
        self.push_message(
            group_chat(chat_id),
            user(user_id),
            text,
            Some(reply_to),
            None,
        )
    }

    /// Queues a document message (with an optional caption) from a user in a private chat.
    pub fn user_sends_document(
        &self,
        user_id: i64,
        file_id: &str,
        file_name: &str,
        caption: Option<&str>,
    ) -> i64 {
        self.user_sends_document_of_size(user_id, file_id, file_name, caption, None)
    }

    /// As [`Self::user_sends_document`], with the size Telegram reports (defaults to the
    /// registered file's).
    pub fn user_sends_document_of_size(
        &self,
        user_id: i64,
        file_id: &str,
        file_name: &str,
        caption: Option<&str>,
        size: Option<usize>,
    ) -> i64 {
        let registered = self
            .lock()
            .files
            .get(file_id)
            .map_or(0, |(_, bytes)| bytes.len());
        let size = size.unwrap_or(registered);
        let document = json!({
            "file_id": file_id,
            "file_unique_id": format!("u-{file_id}"),
            "file_name": file_name,
            "mime_type": "text/plain",
            "file_size": size,
        });
        self.push_message(
            private_chat(user_id),
            user(user_id),
            caption.unwrap_or_default(),
            None,
            Some(document),
        )
    }

    /// Queues a press of an inline keyboard button on the bot's message.
    pub fn press_button(&self, user_id: i64, chat_id: i64, message_id: i64, data: &str) -> String {
        let mut inner = self.lock();
        let message = inner
            .messages
            .get(&(chat_id, message_id))
            .cloned()
            .expect("the pressed message exists");
        let id = format!("cbq-{}", inner.next_update_id);
        let update_id = next_id(&mut inner.next_update_id);
        inner.updates.push_back(json!({
            "update_id": update_id,
            "callback_query": {
                "id": id,
                "from": user(user_id),
                "message": message,
                "chat_instance": "42",
                "data": data,
            }
        }));
        id
    }

    /// Queues a group message from another bot (`is_bot`), as Telegram delivers when
    /// privacy mode is off or the bot is an admin.
    pub fn bot_message(&self, chat_id: i64, bot_id: i64, text: &str) -> i64 {
        let mut from = user(bot_id);
        from["is_bot"] = json!(true);
        from["username"] = json!(format!("other_{bot_id}_bot"));
        self.push_message(group_chat(chat_id), from, text, None, None)
    }

    /// Queues an `edited_message` update: the user changed the text of message `id` in
    /// their private chat.
    pub fn user_edits(&self, user_id: i64, id: i64, text: &str) {
        let mut inner = self.lock();
        let Some(original) = inner.messages.get_mut(&(user_id, id)) else {
            panic!("no message {id} in chat {user_id} to edit");
        };
        original["text"] = json!(text);
        original["edit_date"] = json!(1_727_000_050);
        let edited = original.clone();
        let update_id = next_id(&mut inner.next_update_id);
        inner
            .updates
            .push_back(json!({ "update_id": update_id, "edited_message": edited }));
    }

    /// Queues an inline query (`@bot query` typed in any chat).
    pub fn inline_query(&self, user_id: i64, query: &str) -> String {
        let mut inner = self.lock();
        let id = format!("iq-{}", inner.next_update_id);
        let update_id = next_id(&mut inner.next_update_id);
        inner.updates.push_back(json!({
            "update_id": update_id,
            "inline_query": {
                "id": id,
                "from": user(user_id),
                "query": query,
                "offset": "",
            }
        }));
        id
    }

    /// Every call so far, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.lock().calls.clone()
    }

    /// The HTTP statuses the fake answered `method` with so far, in order.
    pub fn statuses(&self, method: &str) -> Vec<u16> {
        self.lock()
            .calls
            .iter()
            .filter(|c| c.method == method)
            .map(|c| c.status)
            .collect()
    }

    /// The successful calls of `method` so far.
    pub fn successful(&self, method: &str) -> Vec<Call> {
        self.lock()
            .calls
            .iter()
            .filter(|c| c.method == method && c.status == 200)
            .cloned()
            .collect()
    }

    /// Waits until `count` calls of `method` have succeeded and returns them all; panics
    /// after `timeout` with what was recorded, so a test never hangs.
    pub async fn wait_for(&self, method: &str, count: usize, timeout: Duration) -> Vec<Call> {
        super::eventually(timeout, POLL, async || {
            let done = self.successful(method);
            if done.len() >= count {
                Ok(done)
            } else {
                Err(format!(
                    "expected {count} successful {method} calls; calls: {:#?}",
                    self.calls()
                ))
            }
        })
        .await
    }

    /// The texts sent to `chat`, once there are at least `count`; panics after `timeout`.
    pub async fn replies_to(&self, chat: i64, count: usize, timeout: Duration) -> Vec<String> {
        super::eventually(timeout, POLL, async || {
            let texts: Vec<String> = self
                .successful("sendMessage")
                .iter()
                .filter(|c| c.params["chat_id"] == chat)
                .map(text_of)
                .collect();
            if texts.len() >= count {
                Ok(texts)
            } else {
                Err(format!(
                    "expected {count} replies to {chat}, got {texts:#?}"
                ))
            }
        })
        .await
    }

    /// Waits until every queued update has been fetched by the bot and `settle` has
    /// passed since, so a test can check that something did *not* happen.
    pub async fn wait_idle(&self, settle: Duration) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.lock().updates.is_empty() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(settle).await;
    }

    fn push_message(
        &self,
        chat: Value,
        from: Value,
        text: &str,
        reply_to: Option<i64>,
        document: Option<Value>,
    ) -> i64 {
        let mut inner = self.lock();
        let chat_id = chat["id"].as_i64().expect("chat id");
        let message_id = next_id(&mut inner.next_message_id);
        let mut message = json!({
            "message_id": message_id,
            "date": 1_727_000_000,
            "chat": chat,
            "from": from,
        });
        match document {
            Some(document) => {
                message["document"] = document;
                if !text.is_empty() {
                    message["caption"] = json!(text);
                }
            }
            None => message["text"] = json!(text),
        }
        if let Some(reply_to) = reply_to {
            if let Some(original) = inner.messages.get(&(chat_id, reply_to)) {
                message["reply_to_message"] = quoted(original);
            }
        }
        inner
            .messages
            .insert((chat_id, message_id), message.clone());
        let update_id = next_id(&mut inner.next_update_id);
        inner
            .updates
            .push_back(json!({ "update_id": update_id, "message": message }));
        message_id
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The `text` a call sent.
pub fn text_of(call: &Call) -> String {
    call.params["text"].as_str().unwrap_or_default().to_owned()
}

/// A message as Telegram embeds it in `reply_to_message`: without its own
/// `reply_to_message`, even when it is itself a reply.
fn quoted(original: &Value) -> Value {
    let mut quoted = original.clone();
    if let Some(fields) = quoted.as_object_mut() {
        fields.remove("reply_to_message");
    }
    quoted
}

fn next_id(counter: &mut i64) -> i64 {
    *counter += 1;
    *counter - 1
}

pub fn user(id: i64) -> Value {
    json!({ "id": id, "is_bot": false, "first_name": format!("User{id}"), "language_code": "zh-hans" })
}

fn bot_user() -> Value {
    json!({ "id": BOT_ID, "is_bot": true, "first_name": "Yunqi", "username": BOT_USERNAME })
}

fn private_chat(user_id: i64) -> Value {
    json!({ "id": user_id, "type": "private", "first_name": format!("User{user_id}") })
}

fn group_chat(chat_id: i64) -> Value {
    json!({ "id": chat_id, "type": "supergroup", "title": "Yunqi fans" })
}

type Reply = (StatusCode, Value);

fn ok(result: Value) -> Reply {
    (StatusCode::OK, json!({ "ok": true, "result": result }))
}

fn bad_request(description: &str) -> Reply {
    (
        StatusCode::BAD_REQUEST,
        json!({ "ok": false, "error_code": 400, "description": format!("Bad Request: {description}") }),
    )
}

async fn handle(
    State(inner): State<Arc<Mutex<Inner>>>,
    Path(path): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // File downloads: /file/bot<token>/<file_path>
    if let Some(rest) = path.strip_prefix("file/bot") {
        let Some((token, file_path)) = rest.split_once('/') else {
            return StatusCode::NOT_FOUND.into_response();
        };
        let inner = inner.lock().unwrap_or_else(|p| p.into_inner());
        let file = inner.files.values().find(|(p, _)| p == file_path);
        return match file {
            Some((_, bytes)) if token == TOKEN => (StatusCode::OK, bytes.clone()).into_response(),
            _ => StatusCode::NOT_FOUND.into_response(),
        };
    }
    let Some((token, method)) = path.strip_prefix("bot").and_then(|r| r.split_once('/')) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let params = parse_params(&headers, &body);
    let method_name = METHODS
        .iter()
        .find(|m| m.eq_ignore_ascii_case(method))
        .map_or_else(|| method.to_owned(), |m| (*m).to_owned());

    if method_name == "getUpdates" {
        // Long polling: wait briefly for updates without holding the lock.
        let deadline = Instant::now() + MAX_POLL_WAIT;
        loop {
            let pending = {
                let mut state = inner.lock().unwrap_or_else(|p| p.into_inner());
                let offset = params["offset"].as_i64().unwrap_or(0);
                state
                    .updates
                    .retain(|u| u["update_id"].as_i64().unwrap_or(0) >= offset);
                !state.updates.is_empty()
            };
            if pending || Instant::now() > deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    let (status, reply, late) = {
        let mut state = inner.lock().unwrap_or_else(|p| p.into_inner());
        let failure = state
            .failures
            .get_mut(&method_name.to_ascii_lowercase())
            .and_then(VecDeque::pop_front);
        let late = match failure {
            Some(Failure::Late(delay)) => Some(delay),
            _ => None,
        };
        let (status, reply) = match failure {
            Some(Failure::RetryAfter(secs)) => (
                StatusCode::TOO_MANY_REQUESTS,
                json!({
                    "ok": false, "error_code": 429,
                    "description": format!("Too Many Requests: retry after {secs}"),
                    "parameters": { "retry_after": secs },
                }),
            ),
            Some(Failure::BadRequest(description)) => (
                StatusCode::BAD_REQUEST,
                json!({
                    "ok": false, "error_code": 400,
                    "description": format!("Bad Request: {description}"),
                }),
            ),
            Some(Failure::Hangup) => {
                record(
                    &mut state,
                    &method_name,
                    &params,
                    StatusCode::OK,
                    Value::Null,
                );
                if let Some(call) = state.calls.last_mut() {
                    call.status = 0;
                }
                drop(state);
                // Unwinding out of the handler makes the server drop the connection unanswered;
                // resume_unwind skips the panic hook, so nothing is printed.
                std::panic::resume_unwind(Box::new("the fake hangs up"));
            }
            Some(Failure::Status(code)) => {
                let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_GATEWAY);
                record(&mut state, &method_name, &params, status, Value::Null);
                return (status, "<html><body><h1>502 Bad Gateway</h1></body></html>")
                    .into_response();
            }
            Some(Failure::Late(_)) | None if token != TOKEN => (
                StatusCode::UNAUTHORIZED,
                json!({ "ok": false, "error_code": 401, "description": "Unauthorized" }),
            ),
            Some(Failure::Late(_)) | None
                if method_name == "getUpdates" && state.webhook.is_some() =>
            {
                (
                    StatusCode::CONFLICT,
                    json!({
                        "ok": false, "error_code": 409,
                        "description": "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
                    }),
                )
            }
            Some(Failure::Late(_)) | None => answer(&mut state, &method_name, &params),
        };
        record(&mut state, &method_name, &params, status, reply.clone());
        if let Some(call) = state.calls.last_mut() {
            call.late = late.is_some();
        }
        (status, reply, late)
    };
    if let Some(delay) = late {
        tokio::time::sleep(delay).await;
    }
    (status, axum::Json(reply)).into_response()
}

fn record(state: &mut Inner, method: &str, params: &Value, status: StatusCode, reply: Value) {
    state.calls.push(Call {
        method: method.to_owned(),
        params: params.clone(),
        status: status.as_u16(),
        error: reply["description"].as_str().map(str::to_owned),
        result: reply["result"].clone(),
        late: false,
    });
}

/// Request parameters from a JSON body, or a multipart form (teloxide sends JSON, and a
/// form for the methods that can upload a file, such as `setWebhook`; form fields are
/// kept as strings).
fn parse_params(headers: &HeaderMap, body: &Bytes) -> Value {
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if content_type.contains("json") {
        return serde_json::from_slice(body).unwrap_or(Value::Null);
    }
    match content_type.split_once("boundary=") {
        Some((_, boundary)) if content_type.starts_with("multipart/form-data") => {
            form_fields(&String::from_utf8_lossy(body), boundary.trim_matches('"'))
        }
        _ => json!({}),
    }
}

/// The text fields of a multipart/form-data body.
fn form_fields(body: &str, boundary: &str) -> Value {
    let mut fields = serde_json::Map::new();
    for part in body.split(&format!("--{boundary}")) {
        let Some((head, value)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let name = head
            .split("name=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next());
        if let Some(name) = name {
            let value = value.strip_suffix("\r\n").unwrap_or(value);
            fields.insert(name.to_owned(), json!(value));
        }
    }
    Value::Object(fields)
}

fn answer(state: &mut Inner, method: &str, params: &Value) -> Reply {
    match method {
        "getMe" => {
            let mut me = bot_user();
            me["can_join_groups"] = json!(true);
            me["can_read_all_group_messages"] = json!(false);
            me["supports_inline_queries"] = json!(true);
            me["can_connect_to_business"] = json!(false);
            me["has_main_web_app"] = json!(false);
            ok(me)
        }
        "getUpdates" => {
            let updates: Vec<Value> = state.updates.iter().cloned().collect();
            ok(Value::Array(updates))
        }
        "sendChatAction" => ok(json!(true)),
        "setWebhook" => set_webhook(state, params),
        "deleteWebhook" => {
            state.webhook = None;
            ok(json!(true))
        }
        "setMyCommands" => {
            let commands = params["commands"].as_array().cloned().unwrap_or_default();
            let valid = |c: &Value| {
                c["command"].as_str().is_some_and(|name| {
                    (1..=32).contains(&name.len())
                        && name
                            .chars()
                            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
                }) && c["description"]
                    .as_str()
                    .is_some_and(|d| (1..=256).contains(&d.chars().count()))
            };
            if commands.iter().all(valid) {
                ok(json!(true))
            } else {
                bad_request("BOT_COMMAND_INVALID")
            }
        }
        "getWebhookInfo" => {
            let url = state.webhook.as_ref().map_or("", |w| w.url.as_str());
            let pending = if url.is_empty() {
                0
            } else {
                state.updates.len()
            };
            ok(
                json!({ "url": url, "has_custom_certificate": false, "pending_update_count": pending }),
            )
        }
        "sendMessage" => send_message(state, params),
        "editMessageText" => edit_message_text(state, params),
        "answerCallbackQuery" => {
            let text = params["text"].as_str().unwrap_or_default();
            if text.chars().count() > 200 {
                return bad_request("MESSAGE_TOO_LONG");
            }
            ok(json!(true))
        }
        "answerInlineQuery" => answer_inline_query(params),
        "getFile" => {
            let id = params["file_id"].as_str().unwrap_or_default();
            match state.files.get(id) {
                Some((path, bytes)) => ok(json!({
                    "file_id": id, "file_unique_id": format!("u-{id}"),
                    "file_size": bytes.len(), "file_path": path,
                })),
                None => bad_request("invalid file_id"),
            }
        }
        _ => (
            StatusCode::NOT_FOUND,
            json!({ "ok": false, "error_code": 404, "description": "Not Found" }),
        ),
    }
}

/// `setWebhook` as Telegram checks it: an empty URL removes the webhook.
fn set_webhook(state: &mut Inner, params: &Value) -> Reply {
    let url = params["url"].as_str().unwrap_or_default();
    if url.is_empty() {
        state.webhook = None;
        return ok(json!(true));
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return bad_request("bad webhook: An HTTPS URL must be provided for webhook");
    };
    let authority = rest.split('/').next().unwrap_or_default();
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, port.parse::<u16>().ok()),
        None => (authority, Some(if scheme == "http" { 80 } else { 443 })),
    };
    let loopback = state.loopback_webhooks && matches!(host, "127.0.0.1" | "localhost");
    if scheme != "https" && !(loopback && scheme == "http") {
        return bad_request("bad webhook: An HTTPS URL must be provided for webhook");
    }
    if !loopback && !matches!(port, Some(443 | 80 | 88 | 8443)) {
        return bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443");
    }
    let secret_token = params["secret_token"].as_str().map(str::to_owned);
    let valid_secret = secret_token.as_deref().is_none_or(|s| {
        (1..=256).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    });
    if !valid_secret {
        return bad_request("secret token contains unallowed characters");
    }
    state.webhook = Some(WebhookSet {
        url: url.to_owned(),
        secret_token,
    });
    ok(json!(true))
}

fn send_message(state: &mut Inner, params: &Value) -> Reply {
    let Some(chat_id) = params["chat_id"].as_i64() else {
        return bad_request("chat not found");
    };
    let visible = match checked_text(params) {
        Ok(visible) => visible,
        Err(reply) => return reply,
    };
    if let Err(reply) = check_keyboard(&params["reply_markup"]) {
        return reply;
    }
    let message_id = next_id(&mut state.next_message_id);
    let chat = state
        .messages
        .keys()
        .find(|(c, _)| *c == chat_id)
        .and_then(|key| state.messages.get(key))
        .map_or_else(|| private_chat(chat_id), |m| m["chat"].clone());
    let mut message = json!({
        "message_id": message_id,
        "date": 1_727_000_100,
        "chat": chat,
        "from": bot_user(),
        "text": visible,
    });
    if let Some(reply_to) = params["reply_parameters"]["message_id"].as_i64() {
        match state.messages.get(&(chat_id, reply_to)) {
            Some(original) => message["reply_to_message"] = quoted(original),
            None => return bad_request("message to be replied not found"),
        }
    }
    if params["reply_markup"].is_object() {
        message["reply_markup"] = params["reply_markup"].clone();
    }
    state
        .messages
        .insert((chat_id, message_id), message.clone());
    ok(message)
}

fn edit_message_text(state: &mut Inner, params: &Value) -> Reply {
    let (Some(chat_id), Some(message_id)) =
        (params["chat_id"].as_i64(), params["message_id"].as_i64())
    else {
        return bad_request("message identifier is not specified");
    };
    let visible = match checked_text(params) {
        Ok(visible) => visible,
        Err(reply) => return reply,
    };
    if let Err(reply) = check_keyboard(&params["reply_markup"]) {
        return reply;
    }
    let Some(message) = state.messages.get_mut(&(chat_id, message_id)) else {
        return bad_request("message to edit not found");
    };
    if message["text"] == json!(visible) && message["reply_markup"] == params["reply_markup"] {
        return bad_request(
            "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
        );
    }
    message["text"] = json!(visible);
    message["reply_markup"] = params["reply_markup"].clone();
    message["edit_date"] = json!(1_727_000_200);
    ok(message.clone())
}

fn answer_inline_query(params: &Value) -> Reply {
    let results = params["results"].as_array().cloned().unwrap_or_default();
    if results.len() > MAX_INLINE_RESULTS {
        return bad_request("RESULTS_TOO_MUCH");
    }
    if let Some(start) = params["button"].get("start_parameter") {
        let valid = start.as_str().is_some_and(|s| {
            (1..=64).contains(&s.len())
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        });
        if !valid {
            return bad_request("START_PARAM_INVALID");
        }
    }
    for result in &results {
        let content = &result["input_message_content"];
        if let Err(reply) = checked_text(content).map(|_| ()) {
            return reply;
        }
        if result["id"]
            .as_str()
            .is_none_or(|id| id.is_empty() || id.len() > 64)
        {
            return bad_request("RESULT_ID_INVALID");
        }
    }
    ok(json!(true))
}

/// The visible text of a `text` + `parse_mode` pair, or the 400 Telegram would answer.
fn checked_text(params: &Value) -> Result<String, Reply> {
    let text = params["text"]
        .as_str()
        .or_else(|| params["message_text"].as_str())
        .unwrap_or_default();
    let html = params["parse_mode"].as_str() == Some("HTML");
    let visible = if html {
        visible_html(text).map_err(|e| bad_request(&format!("can't parse entities: {e}")))?
    } else {
        text.to_owned()
    };
    if visible.trim().is_empty() {
        return Err(bad_request("message text is empty"));
    }
    if visible.encode_utf16().count() > MAX_TEXT_UTF16 {
        return Err(bad_request("message is too long"));
    }
    Ok(visible)
}

fn check_keyboard(markup: &Value) -> Result<(), Reply> {
    let rows = markup["inline_keyboard"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for button in rows
        .iter()
        .flat_map(|r| r.as_array().cloned().unwrap_or_default())
    {
        if let Some(data) = button["callback_data"].as_str() {
            if data.is_empty() || data.len() > MAX_CALLBACK_DATA_BYTES {
                return Err(bad_request("BUTTON_DATA_INVALID"));
            }
        }
        if button["text"].as_str().is_none_or(str::is_empty) {
            return Err(bad_request(
                "text buttons are unallowed in the inline keyboard",
            ));
        }
    }
    Ok(())
}

/// Parses Telegram's HTML subset and returns the visible text, or why it cannot.
pub fn visible_html(text: &str) -> Result<String, String> {
    const TAGS: &[&str] = &[
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-spoiler",
        "span",
        "tg-emoji",
    ];
    let mut out = String::new();
    let mut open: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        match c {
            '<' => {
                let end = rest.find('>').ok_or_else(|| {
                    format!(
                        "Unclosed start tag at byte offset {}",
                        text.len() - rest.len()
                    )
                })?;
                let tag = &rest[1..end];
                if let Some(name) = tag.strip_prefix('/') {
                    let name = name.trim();
                    match open.pop() {
                        Some(top) if top == name => {}
                        _ => return Err(format!("Unmatched end tag \"{name}\"")),
                    }
                } else {
                    let name = tag.split_whitespace().next().unwrap_or_default();
                    if !TAGS.contains(&name) {
                        return Err(format!("Unsupported start tag \"{name}\""));
                    }
                    open.push(name.to_owned());
                }
                rest = &rest[end + 1..];
            }
            '&' => {
                let end = rest
                    .find(';')
                    .filter(|&e| e <= 10)
                    .ok_or("Can't find end of the entity")?;
                let entity = &rest[1..end];
                let decoded = match entity {
                    "lt" => '<',
                    "gt" => '>',
                    "amp" => '&',
                    "quot" => '"',
                    _ => entity
                        .strip_prefix('#')
                        .and_then(|n| n.parse::<u32>().ok())
                        .and_then(char::from_u32)
                        .ok_or_else(|| format!("Unsupported entity \"{entity}\""))?,
                };
                out.push(decoded);
                rest = &rest[end + 1..];
            }
            _ => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    match open.pop() {
        Some(tag) => Err(format!(
            "Can't find end tag corresponding to start tag \"{tag}\""
        )),
        None => Ok(out),
    }
}
