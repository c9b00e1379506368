//! Running a child process with a time limit, so that no input (a FIFO where cargo expects a
//! manifest, a network that never answers) can hang a run: past the limit the child is killed
//! and the run says so.

use std::process::{Command, Output, Stdio};
use std::time::Duration;
use wait_timeout::ChildExt as _;

/// How long a child may run: `CARGO_SPDF_TIMEOUT_SECS`, else `default`.
pub fn limit(default: Duration) -> Duration {
    std::env::var("CARGO_SPDF_TIMEOUT_SECS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|s| *s > 0)
        .map_or(default, Duration::from_secs)
}

/// Lowers the calling thread's priority below the run's child processes. Every helper thread
/// (a loader, a gate, the source scan) calls it first: `cargo metadata` is single-threaded and
/// the run's critical path, and on a machine with fewer cores than runnable threads (a 2-core
/// CI runner) it would otherwise wait for a core behind them, while cargo-spdf's own work fits
/// into the time cargo takes. Nothing competes when no child runs, so a run without one loses
/// nothing. Linux only (where a thread has its own nice value), and never an error.
pub fn yield_to_children() {
    #[cfg(target_os = "linux")]
    {
        let tid = rustix::thread::gettid();
        let _ = rustix::process::setpriority_process(Some(tid), HELPER_NICE);
    }
}

/// The nice value of helper threads: a child at 0 gets about nine tenths of a core it shares
/// with one of them, and they still get their share beside other programs at 0.
#[cfg(target_os = "linux")]
const HELPER_NICE: i32 = 10;

/// Runs `cmd` to completion, capturing its output, or kills it after `limit`.
pub fn output_within(cmd: &mut Command, limit: Duration) -> std::io::Result<Output> {
    output_reading_first_line(cmd, limit, |_| ()).map(|(output, _)| output)
}

/// Runs `cmd` like [`output_within`], and hands the first line of its standard output (without
/// the newline) to `first_line` as soon as it is written, while the child may still be running:
/// a program that answers in one line (`cargo metadata` writes one line of JSON, then spends
/// 15 ms on 800 packages freeing what it built) can be read while it exits. The result is
/// returned beside the output, which still holds the whole of stdout; `None` when no newline
/// came. The caller still judges the exit status, and whether anything followed the line.
pub fn output_reading_first_line<T: Send>(
    cmd: &mut Command,
    limit: Duration,
    first_line: impl FnOnce(&[u8]) -> T + Send,
) -> std::io::Result<(Output, Option<T>)> {
    let mut child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let ((out, early), err, status) = std::thread::scope(|s| {
        let out = s.spawn(move || drain_reading_first_line(stdout.as_mut(), first_line));
        let err = s.spawn(move || drain(stderr.as_mut()));
        let status = match child.wait_timeout(limit) {
            Ok(Some(status)) => Ok(status),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!(
                        "it did not finish within {} s (CARGO_SPDF_TIMEOUT_SECS sets the limit)",
                        limit.as_secs()
                    ),
                ))
            }
            Err(e) => Err(e),
        };
        let out = out.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
        (out, err.join().unwrap_or_default(), status)
    });
    Ok((Output { status: status?, stdout: out, stderr: err }, early))
}

/// Reads a stream to its end, calling `first_line` on the bytes before the first newline once
/// they are in.
fn drain_reading_first_line<T>(
    stream: Option<&mut impl std::io::Read>,
    first_line: impl FnOnce(&[u8]) -> T,
) -> (Vec<u8>, Option<T>) {
    let mut buf = Vec::new();
    let (mut hook, mut early, mut scanned) = (Some(first_line), None, 0);
    let Some(stream) = stream else { return (buf, None) };
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        }
        if hook.is_some()
            && let Some(at) = memchr::memchr(b'\n', &buf[scanned..])
            && let Some(hook) = hook.take()
        {
            early = Some(hook(&buf[..scanned + at]));
        }
        scanned = buf.len();
    }
    (buf, early)
}

fn drain(stream: Option<&mut impl std::io::Read>) -> Vec<u8> {
    let mut buf = Vec::new();
    if let Some(s) = stream {
        let _ = s.read_to_end(&mut buf);
    }
    buf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn a_helper_thread_yields_and_the_others_do_not() {
        // Field 19 of /proc/thread-self/stat is the thread's nice value (after the name in
        // parentheses, which may hold spaces).
        let nice = || {
            let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
            let after_name = &stat[stat.rfind(')').unwrap() + 2..];
            after_name.split(' ').nth(16).unwrap().parse::<i32>().unwrap()
        };
        let before = nice();
        let helper = std::thread::spawn(move || {
            yield_to_children();
            nice()
        });
        assert_eq!(helper.join().unwrap(), HELPER_NICE.max(before));
        assert_eq!(nice(), before, "only the calling thread yields");
    }

    #[test]
    fn a_child_past_its_limit_is_killed() {
        let started = std::time::Instant::now();
        let err = output_within(Command::new("sleep").arg("30"), Duration::from_millis(200)).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::TimedOut);
        assert!(started.elapsed() < Duration::from_secs(10));
        let out = output_within(Command::new("echo").arg("hi"), Duration::from_secs(10)).unwrap();
        assert_eq!(out.stdout, b"hi\n");
    }

    #[test]
    fn the_first_line_is_read_before_the_child_exits() {
        let started = std::time::Instant::now();
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "printf 'one line'; printf ' more\\nrest\\n'; sleep 1"]);
        let (out, early) = output_reading_first_line(&mut cmd, Duration::from_secs(10), |line| {
            (line.to_vec(), started.elapsed())
        })
        .unwrap();
        let (line, when) = early.unwrap();
        assert_eq!(line, b"one line more");
        assert!(when < Duration::from_millis(900), "read after {when:?}, not before the child's exit");
        assert_eq!(out.stdout, b"one line more\nrest\n");
        assert!(out.status.success());
        let (_, early) = output_reading_first_line(
            Command::new("printf").arg("no newline"),
            Duration::from_secs(10),
            |_| (),
        )
        .unwrap();
        assert!(early.is_none());
    }
}
