//! Over-long request lines answered in the JSON error envelope.
//!
//! hyper refuses a request target over 64 KiB itself, with a bare `414` that no application
//! code sees. This listener wraps each connection so that a first request line longer than
//! [`MAX_REQUEST_LINE`] reaches hyper as `GET` [`TOO_LONG_PATH`] instead (the rest of that
//! line is dropped, the headers and body pass unchanged); the router answers that path with
//! a 414 in the usual envelope. Later requests of a kept-alive connection pass unchanged:
//! the router's own URI check answers those up to hyper's limit.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// The longest first request line passed on as it is (method, target and version).
pub(crate) const MAX_REQUEST_LINE: usize = 8 * 1024 + 64;

/// The path an over-long first request line is replaced with.
pub(crate) const TOO_LONG_PATH: &str = "/.perceo/request-line-too-long";

/// Accepts TCP connections wrapped in [`FirstLineGuard`].
pub(crate) struct GuardedListener(pub TcpListener);

impl axum::serve::Listener for GuardedListener {
    type Io = FirstLineGuard;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (stream, addr) = axum::serve::Listener::accept(&mut self.0).await;
        (FirstLineGuard::new(stream), addr)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

/// Where a connection's first request line is.
enum State {
    /// Still reading it; what was read is held back in `held`.
    Scanning,
    /// It was too long and was replaced: dropping its rest up to the newline.
    Discarding,
    /// Past it: bytes pass through.
    Passing,
}

/// A connection whose first request line is checked before hyper reads it.
pub(crate) struct FirstLineGuard {
    stream: TcpStream,
    state: State,
    /// Bytes of the first line read but not yet given to the reader.
    held: Vec<u8>,
    /// Bytes ready to give to the reader (the line once complete, or its replacement).
    out: Vec<u8>,
}

impl FirstLineGuard {
    fn new(stream: TcpStream) -> Self {
        FirstLineGuard {
            stream,
            state: State::Scanning,
            held: Vec::new(),
            out: Vec::new(),
        }
    }

    /// Takes in bytes read from the socket according to the state; moves what may be read
    /// to `out`.
    fn take_in(&mut self, bytes: &[u8]) {
        match self.state {
            State::Passing => self.out.extend_from_slice(bytes),
            State::Discarding => {
                if let Some(end) = bytes.iter().position(|b| *b == b'\n') {
                    self.state = State::Passing;
                    self.out.extend_from_slice(&bytes[end + 1..]);
                }
            }
            State::Scanning => {
                self.held.extend_from_slice(bytes);
                match self.held.iter().position(|b| *b == b'\n') {
                    Some(end) if end <= MAX_REQUEST_LINE => {
                        self.state = State::Passing;
                        self.out.append(&mut self.held);
                    }
                    Some(end) => {
                        self.state = State::Passing;
                        self.out
                            .extend_from_slice(format!("GET {TOO_LONG_PATH} HTTP/1.1\r\n").as_bytes());
                        self.out.extend_from_slice(&self.held[end + 1..]);
                        self.held.clear();
                    }
                    None if self.held.len() > MAX_REQUEST_LINE => {
                        self.state = State::Discarding;
                        self.out
                            .extend_from_slice(format!("GET {TOO_LONG_PATH} HTTP/1.1\r\n").as_bytes());
                        self.held.clear();
                    }
                    None => {}
                }
            }
        }
    }
}

impl AsyncRead for FirstLineGuard {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if !this.out.is_empty() {
                let n = this.out.len().min(buf.remaining());
                buf.put_slice(&this.out[..n]);
                this.out.drain(..n);
                return Poll::Ready(Ok(()));
            }
            if matches!(this.state, State::Passing) {
                return Pin::new(&mut this.stream).poll_read(cx, buf);
            }
            let mut chunk = [0u8; 4096];
            let mut read = ReadBuf::new(&mut chunk);
            match Pin::new(&mut this.stream).poll_read(cx, &mut read) {
                Poll::Ready(Ok(())) if read.filled().is_empty() => {
                    // End of the stream: give hyper what there is.
                    this.state = State::Passing;
                    this.out.append(&mut this.held);
                    if this.out.is_empty() {
                        return Poll::Ready(Ok(()));
                    }
                }
                Poll::Ready(Ok(())) => {
                    let filled = read.filled().to_vec();
                    this.take_in(&filled);
                }
                other => return other,
            }
        }
    }
}

impl AsyncWrite for FirstLineGuard {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_long_first_line_is_replaced_and_the_rest_passes() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let long = format!("GET /{} HTTP/1.1\r\nhost: x\r\n\r\n", "a".repeat(100_000));
        let client = tokio::spawn(async move {
            let mut s = TcpStream::connect(addr).await.unwrap();
            s.write_all(long.as_bytes()).await.unwrap();
            s.shutdown().await.unwrap();
        });
        let (stream, _) = listener.accept().await.unwrap();
        let mut guard = FirstLineGuard::new(stream);
        let mut seen = Vec::new();
        guard.read_to_end(&mut seen).await.unwrap();
        client.await.unwrap();
        assert_eq!(
            String::from_utf8(seen).unwrap(),
            format!("GET {TOO_LONG_PATH} HTTP/1.1\r\nhost: x\r\n\r\n")
        );
    }

    #[tokio::test]
    async fn a_normal_request_passes_unchanged() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let request = "POST /observer/analyze HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\n\r\n{}".to_string();
        let sent = request.clone();
        let client = tokio::spawn(async move {
            let mut s = TcpStream::connect(addr).await.unwrap();
            for piece in sent.as_bytes().chunks(7) {
                s.write_all(piece).await.unwrap();
            }
            s.shutdown().await.unwrap();
        });
        let (stream, _) = listener.accept().await.unwrap();
        let mut guard = FirstLineGuard::new(stream);
        let mut seen = Vec::new();
        guard.read_to_end(&mut seen).await.unwrap();
        client.await.unwrap();
        assert_eq!(String::from_utf8(seen).unwrap(), request);
    }
}
