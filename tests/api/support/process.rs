//! The service's binaries run as processes: for what needs a process of its
//! own (an open-file limit, the global log and trace setup).

use std::net::SocketAddr;
use std::process::Child;
use std::time::Duration;

use tonic::transport::Channel;

/// A child process, killed when dropped.
pub struct Process(pub Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A loopback address with a port free at the time of the call.
pub fn free_addr() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr")
}

/// A channel to `addr` once something there accepts gRPC connections.
pub async fn connect_when_up(addr: SocketAddr) -> Channel {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(channel) = Channel::from_shared(format!("http://{addr}"))
            .expect("url")
            .connect()
            .await
        {
            return channel;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{addr} never came up"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Sends SIGTERM to `process` (what Kubernetes sends).
pub fn sigterm(process: &Process) {
    let status = std::process::Command::new("kill")
        .args(["-TERM", &process.0.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success(), "SIGTERM sent");
}

/// The exit status once `process` ends, failing after `within`.
pub async fn exit_within(process: &mut Process, within: Duration) -> std::process::ExitStatus {
    let deadline = tokio::time::Instant::now() + within;
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    loop {
        tick.tick().await;
        if let Some(status) = process.0.try_wait().expect("wait") {
            return status;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "still running after {within:?}"
        );
    }
}
