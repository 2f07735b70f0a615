//! The served checkout, the server process and small HTTP helpers the serve tests share.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use assert_fs::TempDir;

use crate::common::{git, perceo};

pub(crate) const KEY: &str = "sk-serve-test-0123456789abcdef";

/// The server's own checkout: a clone of `repo` at `feature`.
pub(crate) fn server_checkout(repo: &Path) -> TempDir {
    let tmp = TempDir::new().unwrap();
    git(
        tmp.path(),
        &["clone", "-q", "--branch", "feature", &repo.display().to_string(), "."],
    );
    tmp
}

/// A running `perceo serve --port 0`; killed when dropped.
pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) url: String,
    pub(crate) log: Arc<Mutex<String>>,
}

impl Server {
    pub(crate) fn start(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Server {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_perceo"));
        cmd.current_dir(dir)
            .args(["serve", "--port", "0"])
            .args(args)
            .env_remove("PERCEO_CONFIG_PATH")
            .env_remove("PERCEO_ENV")
            .env_remove("PERCEO_PROJECT_DIR")
            .env_remove("PERCEO_SERVE_API_KEYS")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().unwrap();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(line)) = lines.next() {
                let _ = tx.send(line);
            }
            for _ in lines {}
        });
        let url = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(url) => url,
            Err(_) => {
                let _ = child.kill();
                panic!("perceo serve did not print its URL; log:\n{}", log.lock().unwrap());
            }
        };
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        Server { child, url, log }
    }

    pub(crate) fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// The log once it holds `needle` (the server writes a request's line after answering
    /// it, and a thread copies it here), or as it is after 5 s.
    pub(crate) fn log_with(&self, needle: &str) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            let log = self.log();
            if log.contains(needle) || std::time::Instant::now() > deadline {
                return log;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGTERM, then the exit code and the whole log.
    pub(crate) fn terminate(mut self) -> (Option<i32>, String) {
        let ok = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(ok.success());
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "perceo serve did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        };
        // Let the log thread drain.
        std::thread::sleep(Duration::from_millis(100));
        (status.code(), self.log())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request on a fresh connection: status, headers (lower-cased) and body.
pub(crate) fn http(
    base: &str,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: Option<&str>,
) -> (u16, String, String) {
    let host = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut request = format!("{method} {path} HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n");
    if let Some(key) = key {
        request.push_str(&format!("authorization: Bearer {key}\r\n"));
    }
    if let Some(body) = body {
        request.push_str(&format!(
            "content-type: application/json\r\ncontent-length: {}\r\n",
            body.len()
        ));
    }
    request.push_str("\r\n");
    request.push_str(body.unwrap_or(""));
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP status in {head:?}"));
    (status, head.to_ascii_lowercase(), body.to_string())
}

pub(crate) fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

pub(crate) fn set(dir: &Path, key: &str, value: &str) {
    perceo(dir).args(["config", "set", key, value]).assert().success();
}

pub(crate) fn start_for(repo: &Path) -> (TempDir, Server) {
    let checkout = server_checkout(repo);
    let server = Server::start(checkout.path(), &[("PERCEO_SERVE_API_KEYS", KEY)], &[]);
    (checkout, server)
}

/// A test runner script for `coordinator.command` that passes every flow and writes JUnit.
pub(crate) const PASSING_RUNNER: &str = r#"#!/bin/sh
printf '<testsuites><testsuite name="s"><testcase name="%s works" classname="%s.spec.ts" time="0.2"/></testsuite></testsuites>' "$1" "$1" > "$2"
"#;

/// A local HTTP server answering with `responses` in order (delay before answering, status,
/// extra headers, body).
pub(crate) fn fake_api(responses: Vec<(Duration, u16, &'static str, String)>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut responses = responses.into_iter();
        for stream in listener.incoming().flatten() {
            let Some((delay, status, extra, answer)) = responses.next() else {
                break;
            };
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                let mut length = 0;
                while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                    line.clear();
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                std::thread::sleep(delay);
                let mut stream = stream;
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{extra}connection: close\r\n\r\n{answer}",
                    answer.len()
                );
            });
        }
    });
    base
}
