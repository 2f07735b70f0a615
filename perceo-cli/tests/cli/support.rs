//! Helpers several groups of CLI tests use: fixtures, a fake test runner, local HTTP servers.

use assert_fs::TempDir;
use assert_fs::prelude::*;

use crate::common::{perceo, repo_root};

pub(crate) fn fixture(name: &str) -> TempDir {
    let tmp = TempDir::new().unwrap();
    tmp.copy_from(repo_root().join("tests/fixtures/frameworks").join(name), &["**/*"])
        .unwrap();
    tmp
}

/// A test runner script for `coordinator.command`: fails the flows named in FAIL, passes the
/// others, and writes real JUnit XML.
pub(crate) const FAKE_RUNNER: &str = r#"#!/bin/sh
flow="$1"; junit="$2"
case " $FAIL " in *" $flow "*)
  printf '<testsuites><testsuite name="s"><testcase name="%s works" classname="%s.spec.ts" time="0.5"><failure message="expected badge 1, got 0">stack</failure></testcase></testsuite></testsuites>' "$flow" "$flow" > "$junit"; exit 1;;
esac
printf '<testsuites><testsuite name="s"><testcase name="%s works" classname="%s.spec.ts" time="0.2"/></testsuite></testsuites>' "$flow" "$flow" > "$junit"
"#;

pub(crate) fn with_fake_runner(tmp: &TempDir) {
    tmp.child("run-tests.sh").write_str(FAKE_RUNNER).unwrap();
    perceo(tmp.path())
        .args(["config", "set", "coordinator.command", "sh run-tests.sh {flow} {junit}"])
        .assert()
        .success();
}

/// A one-shot local HTTP server standing in for Slack: returns its URL and the body of the
/// first request it gets.
pub(crate) fn webhook_server() -> (String, std::sync::mpsc::Receiver<String>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/services/T000/B000/SECRETTOKEN",
        listener.local_addr().unwrap()
    );
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                line.clear();
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let mut stream = stream;
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
            let _ = tx.send(String::from_utf8_lossy(&body).into_owned());
        }
    });
    (url, rx)
}

/// A local HTTP server answering with `responses` in order (status, extra headers, body);
/// each request's first line, headers and body are sent back on the channel.
pub(crate) fn api_server(
    responses: Vec<(u16, &'static str, String)>,
) -> (String, std::sync::mpsc::Receiver<(String, String, String)>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut responses = responses.into_iter();
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let (mut first, mut headers, mut line) = (String::new(), String::new(), String::new());
            let _ = reader.read_line(&mut first);
            let mut length = 0;
            while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                headers.push_str(&line);
                line.clear();
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let Some((status, extra, answer)) = responses.next() else {
                break;
            };
            let mut stream = stream;
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{extra}connection: close\r\n\r\n{answer}",
                answer.len()
            );
            let _ = tx.send((first, headers, String::from_utf8_lossy(&body).into_owned()));
        }
    });
    (base, rx)
}
