//! A sparse index served over HTTP/1.1 on the loopback interface, from a directory laid out like
//! `fixtures/index/`, recording every request. One connection per request (`Connection:
//! close`), an `ETag` per file and `304 Not Modified` for a matching `If-None-Match`. It stops
//! when dropped, and by itself after a minute.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long the server runs at most.
const LIFETIME: Duration = Duration::from_secs(60);

/// One request the server received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The request path (`/go/ne/gonelib`).
    pub path: String,
    /// The `If-None-Match` header, if sent.
    pub if_none_match: Option<String>,
}

/// A running server.
pub struct IndexServer {
    /// `http://127.0.0.1:PORT/`.
    pub url: String,
    requests: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl IndexServer {
    /// Serves the files under `root`; a missing file is 404.
    pub fn start(root: &Path) -> Self {
        Self::start_with(root, None)
    }

    /// Answers every request with `status` and no body (when given), else serves `root`.
    pub fn start_with(root: &Path, status: Option<u16>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (root, log, flag) = (root.to_path_buf(), requests.clone(), stop.clone());
        let thread = std::thread::spawn(move || serve(&listener, &root, status, &log, &flag));
        IndexServer { url, requests, stop, thread: Some(thread) }
    }

    /// The requests received so far.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    /// Forgets the requests received so far.
    pub fn clear(&self) {
        self.requests.lock().unwrap().clear();
    }
}

impl Drop for IndexServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(
    listener: &TcpListener,
    root: &Path,
    status: Option<u16>,
    log: &Mutex<Vec<Request>>,
    stop: &AtomicBool,
) {
    let started = Instant::now();
    while !stop.load(Ordering::Relaxed) && started.elapsed() < LIFETIME {
        match listener.accept() {
            Ok((stream, _)) => {
                if let Some(request) = answer(stream, root, status) {
                    log.lock().unwrap().push(request);
                }
            }
            Err(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
}

/// Reads one request and writes its response.
fn answer(stream: TcpStream, root: &Path, status: Option<u16>) -> Option<Request> {
    stream.set_nonblocking(false).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let request = read_request(&mut reader)?;
    let response = match status {
        Some(code) => head(code, "", 0),
        None => respond(root, &request),
    };
    let mut stream = stream;
    let _ = stream.write_all(&response).and_then(|()| stream.flush());
    Some(request)
}

fn read_request(reader: &mut impl BufRead) -> Option<Request> {
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split_whitespace().nth(1)?.to_owned();
    let mut if_none_match = None;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("if-none-match")
        {
            if_none_match = Some(value.trim().to_owned());
        }
    }
    Some(Request { path, if_none_match })
}

fn respond(root: &Path, request: &Request) -> Vec<u8> {
    let file: PathBuf = root.join(request.path.trim_start_matches('/'));
    let body = match std::fs::read(&file) {
        Ok(body) if !request.path.contains("..") => body,
        _ => return head(404, "", 0),
    };
    let etag = format!(
        "\"{:x}-{}\"",
        body.iter().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(*b))),
        body.len()
    );
    if request.if_none_match.as_deref() == Some(etag.as_str()) {
        return head(304, &etag, 0);
    }
    let mut response = head(200, &etag, body.len());
    response.extend(body);
    response
}

fn head(status: u16, etag: &str, length: usize) -> Vec<u8> {
    let reason = match status {
        200 => "OK",
        304 => "Not Modified",
        404 => "Not Found",
        _ => "Error",
    };
    let etag = if etag.is_empty() { String::new() } else { format!("ETag: {etag}\r\n") };
    let length = if status == 304 { String::new() } else { format!("Content-Length: {length}\r\n") };
    format!("HTTP/1.1 {status} {reason}\r\n{etag}{length}Connection: close\r\n\r\n").into_bytes()
}
