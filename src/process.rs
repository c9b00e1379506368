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

/// Runs `cmd` to completion, capturing its output, or kills it after `limit`.
pub fn output_within(cmd: &mut Command, limit: Duration) -> std::io::Result<Output> {
    let mut child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let (out, err, status) = std::thread::scope(|s| {
        let out = s.spawn(move || drain(stdout.as_mut()));
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
        (out.join().unwrap_or_default(), err.join().unwrap_or_default(), status)
    });
    Ok(Output { status: status?, stdout: out, stderr: err })
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

    #[test]
    fn a_child_past_its_limit_is_killed() {
        let started = std::time::Instant::now();
        let err = output_within(Command::new("sleep").arg("30"), Duration::from_millis(200)).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::TimedOut);
        assert!(started.elapsed() < Duration::from_secs(10));
        let out = output_within(Command::new("echo").arg("hi"), Duration::from_secs(10)).unwrap();
        assert_eq!(out.stdout, b"hi\n");
    }
}
