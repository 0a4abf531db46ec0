//! A model server for tests, on 127.0.0.1: it speaks the OpenAI Chat Completions, Anthropic
//! Messages and Ollama chat protocols for real (over HTTP/1.1), records every request, and can
//! be told to answer 429 with Retry-After, 500, malformed JSON, or not at all in time.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Debug)]
pub enum Reply {
    /// A well-formed completion in the protocol of the path asked.
    Complete(String),
    /// An error status, with a Retry-After in seconds when given.
    Status(u16, Option<u64>, String),
    /// 200 with a body that is not JSON.
    Malformed,
    /// No answer for this long.
    Hang(Duration),
    /// A good completion, after this long.
    Slow(Duration, String),
    /// The server dies: this request and every later connection are dropped unanswered, until
    /// `revive`.
    Die,
    /// 307 to this address.
    Redirect(String),
    /// 200 with a body of this many bytes, sent in chunks with no length given (`None`: one
    /// that never ends, until the client goes away).
    Flood(Option<usize>),
}

#[derive(Clone, Debug)]
pub struct Request {
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: serde_json::Value,
    pub at: std::time::Instant,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct State {
    script: VecDeque<Reply>,
    default: Option<Reply>,
    requests: Vec<Request>,
    in_flight: usize,
    most_in_flight: usize,
    dead: bool,
}

pub struct ModelServer {
    pub port: u16,
    state: Arc<Mutex<State>>,
}

/// A narrative with real and invented citations, in the sections the prompt asks for.
pub const NARRATIVE: &str = "## Purpose\nThis part keeps the engine running. It is small.\n\n## Design and key abstractions\nSee `src/engine/core.rs:4-6` and `Engine`.\n\n## Where to start reading\n`src/engine/mod.rs`\n";

impl ModelServer {
    pub fn start() -> ModelServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State {
            default: Some(Reply::Complete(NARRATIVE.into())),
            ..Default::default()
        }));
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                if shared.lock().unwrap().dead {
                    drop(stream);
                    continue;
                }
                let state = shared.clone();
                std::thread::spawn(move || {
                    let _ = serve(stream, &state);
                });
            }
        });
        ModelServer { port, state }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Answers in this order first, then the default.
    pub fn script(&self, replies: Vec<Reply>) {
        self.state.lock().unwrap().script.extend(replies);
    }

    pub fn set_default(&self, reply: Reply) {
        self.state.lock().unwrap().default = Some(reply);
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().unwrap().requests.clone()
    }

    /// Back from the dead: connections are answered again.
    pub fn revive(&self) {
        self.state.lock().unwrap().dead = false;
    }

    /// The most requests that were being answered at the same moment.
    pub fn most_at_once(&self) -> usize {
        self.state.lock().unwrap().most_in_flight
    }
}

fn serve(stream: TcpStream, state: &Arc<Mutex<State>>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut stream = stream;
    // One request per connection: every answer says `Connection: close`.
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(());
    }
    let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
    let mut headers = Vec::new();
    let mut length = 0;
    loop {
        let mut h = String::new();
        reader.read_line(&mut h)?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((n, v)) = h.split_once(':') {
            if n.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse().unwrap_or(0);
            }
            headers.push((n.trim().to_string(), v.trim().to_string()));
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
    let reply = {
        let mut s = state.lock().unwrap();
        s.requests.push(Request {
            path: path.clone(),
            headers,
            body: body.clone(),
            at: std::time::Instant::now(),
        });
        s.in_flight += 1;
        s.most_in_flight = s.most_in_flight.max(s.in_flight);
        s.script.pop_front().or_else(|| s.default.clone()).unwrap()
    };
    let done = || state.lock().unwrap().in_flight -= 1;
    let (status, extra, text) = match reply {
        Reply::Complete(_) if path.ends_with("/embeddings") => {
            (200, String::new(), embeddings(&body))
        }
        Reply::Complete(text) => (200, String::new(), completion(&path, &text)),
        Reply::Status(code, after, text) => (
            code,
            after
                .map(|s| format!("Retry-After: {s}\r\n"))
                .unwrap_or_default(),
            text,
        ),
        Reply::Malformed => (
            200,
            String::new(),
            "{\"choices\": [ this is not json".into(),
        ),
        Reply::Hang(d) => {
            std::thread::sleep(d);
            done();
            return Ok(());
        }
        Reply::Slow(d, text) => {
            std::thread::sleep(d);
            (200, String::new(), completion(&path, &text))
        }
        Reply::Die => {
            state.lock().unwrap().dead = true;
            done();
            return Ok(());
        }
        Reply::Redirect(to) => (307, format!("Location: {to}\r\n"), String::new()),
        Reply::Flood(size) => {
            done();
            stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")?;
            let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, "a".repeat(64 * 1024));
            let mut sent = 0;
            // Bounded by the client: it goes away, and the write fails.
            while size.is_none_or(|n| sent < n) {
                stream.write_all(chunk.as_bytes())?;
                sent += 64 * 1024;
            }
            stream.write_all(b"0\r\n\r\n")?;
            return Ok(());
        }
    };
    let response = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n{text}",
        text.len()
    );
    done();
    stream.write_all(response.as_bytes())?;
    stream.flush()?;
    Ok(())
}

/// The Embeddings API's answer for the request's inputs: each text's words hashed into 64
/// dimensions, so that texts sharing words are near each other.
fn embeddings(body: &serde_json::Value) -> String {
    let inputs: Vec<String> = match &body["input"] {
        serde_json::Value::String(s) => vec![s.clone()],
        serde_json::Value::Array(a) => a
            .iter()
            .map(|v| v.as_str().unwrap_or("").to_string())
            .collect(),
        _ => Vec::new(),
    };
    let data: Vec<serde_json::Value> = inputs
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let mut v = vec![0.0f32; 64];
            for word in text
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.len() > 2)
            {
                let h = word
                    .to_lowercase()
                    .bytes()
                    .fold(2166136261u32, |h, b| (h ^ b as u32).wrapping_mul(16777619));
                v[(h % 64) as usize] += 1.0;
            }
            serde_json::json!({"object": "embedding", "index": i, "embedding": v})
        })
        .collect();
    serde_json::json!({"object": "list", "data": data, "model": body["model"], "usage": {"prompt_tokens": 1, "total_tokens": 1}}).to_string()
}

/// A completion in the shape of the protocol the path belongs to.
fn completion(path: &str, text: &str) -> String {
    let path = path.split('?').next().unwrap_or(path);
    let v = if path.ends_with("/chat/completions") {
        serde_json::json!({
            "id": "c1", "object": "chat.completion",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}
        })
    } else if path.ends_with("/v1/messages") {
        serde_json::json!({
            "id": "m1", "type": "message", "role": "assistant",
            "content": [{"type": "text", "text": text}],
            "usage": {"input_tokens": 100, "output_tokens": 20}
        })
    } else {
        serde_json::json!({
            "model": "m", "message": {"role": "assistant", "content": text}, "done": true,
            "prompt_eval_count": 100, "eval_count": 20
        })
    };
    v.to_string()
}
