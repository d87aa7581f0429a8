//! A real SMTP server on a free port (the `mailin-embedded` crate), keeping
//! every message it accepts for the test to read, parsed with `mail-parser`.

use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};

use mail_parser::MessageParser;
use mailin_embedded::{Handler, Response, Server, response};

/// A message the server accepted.
#[derive(Debug, Clone)]
pub struct Received {
    /// RCPT TO addresses.
    pub to: Vec<String>,
    /// The message as sent.
    pub raw: Vec<u8>,
}

/// The parts of a received message a test looks at.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: Vec<String>,
    pub subject: String,
    pub message_id: String,
    pub text: String,
    pub html: String,
    pub list_unsubscribe: String,
    pub list_unsubscribe_post: String,
}

impl Received {
    /// Parsed.
    ///
    /// # Panics
    /// When the message does not parse or lacks a part.
    pub fn parse(&self) -> Mail {
        let message = MessageParser::default()
            .parse(&self.raw)
            .expect("a parsable message");
        let header = |name: &str| {
            message
                .header_raw(name)
                .map(|v| v.trim().to_owned())
                .unwrap_or_default()
        };
        Mail {
            to: self.to.clone(),
            subject: message.subject().unwrap_or_default().to_owned(),
            message_id: message.message_id().unwrap_or_default().to_owned(),
            text: message.body_text(0).expect("a text part").into_owned(),
            html: message.body_html(0).expect("an HTML part").into_owned(),
            list_unsubscribe: header("List-Unsubscribe"),
            list_unsubscribe_post: header("List-Unsubscribe-Post"),
        }
    }
}

#[derive(Clone)]
struct Sink {
    inbox: Arc<Mutex<Vec<Received>>>,
    to: Vec<String>,
    data: Vec<u8>,
    /// How long the server takes to accept each message (a slow relay).
    per_message: std::time::Duration,
}

impl Handler for Sink {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        self.data.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        // A slow relay is slow before it accepts (this server's own thread).
        std::thread::sleep(self.per_message);
        // Kept before the reply: once the sender sees 250, the message is
        // in the inbox.
        let received = Received {
            to: std::mem::take(&mut self.to),
            raw: std::mem::take(&mut self.data),
        };
        self.inbox.lock().expect("inbox").push(received);
        response::OK
    }
}

/// A loopback port bound but not listening: connections to it are refused
/// (an SMTP relay that is down), and no other test can take it meanwhile,
/// as it could a port merely found free.
pub struct ReservedPort {
    socket: socket2::Socket,
    pub addr: SocketAddr,
}

impl ReservedPort {
    /// A fresh reservation.
    pub fn new() -> Self {
        let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)
            .expect("socket");
        let any: SocketAddr = "127.0.0.1:0".parse().expect("addr");
        socket.bind(&any.into()).expect("bind");
        let addr = socket
            .local_addr()
            .expect("addr")
            .as_socket()
            .expect("an IP address");
        Self { socket, addr }
    }
}

/// A running SMTP server. It serves until the test process ends.
pub struct SmtpServer {
    pub addr: SocketAddr,
    inbox: Arc<Mutex<Vec<Received>>>,
}

impl SmtpServer {
    /// A server on a free loopback port.
    pub fn start() -> Self {
        Self::start_slow(std::time::Duration::ZERO)
    }

    /// A server on a free loopback port that takes `per_message` to accept
    /// each message.
    pub fn start_slow(per_message: std::time::Duration) -> Self {
        Self::start_on(TcpListener::bind("127.0.0.1:0").expect("bind"), per_message)
    }

    /// A server on a port reserved before (mail sent there before found
    /// nothing listening: connections were refused).
    pub fn start_on_reserved(port: ReservedPort) -> Self {
        port.socket.listen(128).expect("listen");
        Self::start_on(port.socket.into(), std::time::Duration::ZERO)
    }

    fn start_on(listener: TcpListener, per_message: std::time::Duration) -> Self {
        let addr = listener.local_addr().expect("addr");
        let inbox = Arc::new(Mutex::new(Vec::new()));
        let sink = Sink {
            inbox: inbox.clone(),
            to: Vec::new(),
            data: Vec::new(),
            per_message,
        };
        std::thread::spawn(move || {
            let mut server = Server::new(sink);
            server.with_name("smtp.test").with_tcp_listener(listener);
            let _ = server.serve();
        });
        Self { addr, inbox }
    }

    /// `smtp://` URL of the server.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// How many messages were received (and not taken) so far.
    pub fn received(&self) -> usize {
        self.inbox.lock().expect("inbox").len()
    }

    /// Every message received so far, parsed, and forgets them.
    pub fn take(&self) -> Vec<Mail> {
        std::mem::take(&mut *self.inbox.lock().expect("inbox"))
            .iter()
            .map(Received::parse)
            .collect()
    }
}
