package com.ecommerce.eventhub.email;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Date;
import java.util.Deque;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

import com.ecommerce.eventhub.config.MailProperties;
import jakarta.mail.MessagingException;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.component.mail.DefaultJavaMailSender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * camel-mail's sender with the SMTP connection kept open from one mail to the next.
 * camel-mail's own opens a connection per mail: the TCP handshake, the greeting, EHLO,
 * and STARTTLS and AUTH where configured, several round trips before the mail's first
 * byte. Against a local GreenMail a mail took 45 ms that way and 1 ms on an open
 * connection.
 *
 * <p>
 * An idle connection is reused only after NOOP finds it open (the server may have closed
 * it meanwhile): a stale connection costs one round trip, never a failed send. A send
 * that fails closes its connection, whose state is then unknown. A connection idle for
 * longer than {@link #MAX_IDLE_TIME} or that sent {@link #MAX_MESSAGES} mails is closed;
 * at most {@link #MAX_IDLE} wait, and concurrent sends beyond them open their own.
 */
final class ReusedSmtpConnections extends DefaultJavaMailSender implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(ReusedSmtpConnections.class);

	/** Open connections kept between mails: the e-mail route's concurrency, and some. */
	static final int MAX_IDLE = 4;

	/** Mails per connection before a fresh one: servers cap it, and a relay may move. */
	static final int MAX_MESSAGES = 100;

	/** Longer idle connections are closed, not checked: servers drop them anyway. */
	static final Duration MAX_IDLE_TIME = Duration.ofSeconds(30);

	/** Most recently used first; guarded by this. */
	private final Deque<Connection> idle = new ArrayDeque<>();

	/** Whether {@link #close} ran; guarded by this. */
	private boolean closed;

	private final AtomicLong opened = new AtomicLong();

	/**
	 * @param mail the SMTP server, its credentials, TLS and timeouts ({@code hub.mail.*})
	 */
	ReusedSmtpConnections(MailProperties mail) {
		String protocol = mail.ssl() ? "smtps" : "smtp";
		String prefix = "mail." + protocol + ".";
		String timeout = String.valueOf(mail.connectionTimeout().toMillis());
		Properties properties = new Properties();
		properties.setProperty("mail.transport.protocol", protocol);
		properties.setProperty(prefix + "host", mail.host());
		properties.setProperty(prefix + "port", String.valueOf(mail.port()));
		properties.setProperty(prefix + "connectiontimeout", timeout);
		properties.setProperty(prefix + "timeout", timeout);
		properties.setProperty(prefix + "writetimeout", timeout);
		properties.setProperty(prefix + "starttls.enable", String.valueOf(mail.startTls()));
		properties.setProperty(prefix + "starttls.required", String.valueOf(mail.startTls()));
		properties.setProperty(prefix + "auth", String.valueOf(!mail.username().isEmpty()));
		setJavaMailProperties(properties);
		setProtocol(protocol);
		setHost(mail.host());
		setPort(mail.port());
		if (!mail.username().isEmpty()) {
			setUsername(mail.username());
			setPassword(mail.password());
		}
		setSession(Session.getInstance(properties));
	}

	@Override
	public void send(MimeMessage message) throws MessagingException {
		// saveChanges() gives the mail a Message-ID of its own: the one the mailer set
		// is put back, so every send of one request carries the same.
		String messageId = message.getMessageID();
		if (message.getSentDate() == null) {
			message.setSentDate(new Date());
		}
		message.saveChanges();
		if (messageId != null) {
			message.setHeader("Message-ID", messageId);
		}
		Connection connection = take();
		boolean sent = false;
		try {
			connection.transport.sendMessage(message, message.getAllRecipients());
			sent = true;
		}
		finally {
			if (sent) {
				giveBack(connection);
			}
			else {
				close(connection.transport);
			}
		}
	}

	private Connection take() throws MessagingException {
		for (Connection waiting = nextIdle(); waiting != null; waiting = nextIdle()) {
			// isConnected() sends NOOP: false, and closed, when the server went away.
			if (waiting.idleFor().compareTo(MAX_IDLE_TIME) <= 0 && waiting.transport.isConnected()) {
				return waiting;
			}
			close(waiting.transport);
		}
		Transport transport = getTransport(getSession());
		PasswordAuthentication credentials = getPasswordAuthentication();
		transport.connect(getHost(), getPort(), credentials.getUserName(), credentials.getPassword());
		this.opened.incrementAndGet();
		return new Connection(transport);
	}

	private synchronized Connection nextIdle() {
		return this.idle.pollFirst();
	}

	private void giveBack(Connection connection) {
		connection.sent++;
		connection.idleSince = System.nanoTime();
		synchronized (this) {
			if (!this.closed && connection.sent < MAX_MESSAGES && this.idle.size() < MAX_IDLE) {
				this.idle.addFirst(connection);
				return;
			}
		}
		close(connection.transport);
	}

	/** Closes the idle connections; connections in use close when their send ends. */
	@Override
	public void close() {
		Deque<Connection> closing;
		synchronized (this) {
			this.closed = true;
			closing = new ArrayDeque<>(this.idle);
			this.idle.clear();
		}
		closing.forEach(connection -> close(connection.transport));
	}

	/** Connections opened so far. */
	long opened() {
		return this.opened.get();
	}

	private static void close(Transport transport) {
		try {
			transport.close();
		}
		catch (MessagingException ex) {
			log.debug("Closing an SMTP connection failed: {}", ex.getMessage());
		}
	}

	/** A connected transport and what it did; used by one send at a time. */
	private static final class Connection {

		private final Transport transport;

		private int sent;

		private long idleSince = System.nanoTime();

		private Connection(Transport transport) {
			this.transport = transport;
		}

		private Duration idleFor() {
			return Duration.ofNanos(System.nanoTime() - this.idleSince);
		}

	}

}
