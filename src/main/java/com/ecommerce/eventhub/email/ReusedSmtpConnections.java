package com.ecommerce.eventhub.email;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Date;
import java.util.Deque;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

import com.ecommerce.eventhub.config.MailProperties;
import jakarta.mail.MessagingException;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.component.mail.DefaultJavaMailSender;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * camel-mail's sender with the SMTP connection kept open from one mail to the next.
 * camel-mail's own opens a connection per mail: the TCP handshake, the greeting, EHLO,
 * and STARTTLS and AUTH where configured, several round trips before the mail's first
 * byte.
 *
 * <p>
 * An idle connection is reused only after NOOP finds it open (the server may have closed
 * it meanwhile): one round trip per mail instead of the handshake. A reused connection
 * whose server refuses the next mail at MAIL FROM with a 4xx (it caps the mails per
 * connection, or is closing it) is replaced and the mail sent again on a fresh one:
 * nothing was submitted yet. A send that fails otherwise closes its connection, whose
 * state is then unknown. A connection that sent {@link #MAX_MESSAGES} mails, or is found
 * idle for longer than {@link #MAX_IDLE_TIME} when one is taken or given back, is closed;
 * at most one per attempt thread of the route waits, and a send beyond them opens its
 * own.
 */
final class ReusedSmtpConnections extends DefaultJavaMailSender implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(ReusedSmtpConnections.class);

	/**
	 * Mails per connection before a fresh one: Exchange's receive connectors take 20 by
	 * default, and a relay behind a load balancer may move.
	 */
	static final int MAX_MESSAGES = 20;

	/** Longer idle connections are closed, not checked: servers drop them anyway. */
	static final Duration MAX_IDLE_TIME = Duration.ofSeconds(30);

	/** Most recently used first; guarded by this. */
	private final Deque<Connection> idle = new ArrayDeque<>();

	private final int maxIdle;

	/** Whether {@link #close} ran; guarded by this. */
	private boolean closed;

	private final AtomicLong opened = new AtomicLong();

	/**
	 * @param mail the SMTP server, its credentials, TLS and timeouts ({@code hub.mail.*})
	 * @param maxIdle connections kept open between mails: the route's attempt threads
	 */
	ReusedSmtpConnections(MailProperties mail, int maxIdle) {
		this.maxIdle = maxIdle;
		String protocol = mail.ssl() ? "smtps" : "smtp";
		String prefix = "mail." + protocol + ".";
		String timeout = String.valueOf(mail.connectionTimeout().toMillis());
		// JavaMail settings given to the JVM (-Dmail.smtp.localhost=...) still apply, as
		// with camel-mail's sender; the hub's own settings win.
		Properties properties = new Properties();
		System.getProperties().forEach((key, value) -> {
			if (key instanceof String name && name.startsWith("mail.")) {
				properties.put(name, value);
			}
		});
		properties.setProperty("mail.transport.protocol", protocol);
		properties.setProperty(prefix + "host", mail.host());
		properties.setProperty(prefix + "port", String.valueOf(mail.port()));
		properties.setProperty(prefix + "connectiontimeout", timeout);
		properties.setProperty(prefix + "timeout", timeout);
		properties.setProperty(prefix + "writetimeout", timeout);
		properties.setProperty(prefix + "starttls.enable", String.valueOf(mail.startTls()));
		properties.setProperty(prefix + "starttls.required", String.valueOf(mail.startTls()));
		properties.setProperty(prefix + "auth", String.valueOf(!mail.username().isEmpty()));
		// A connection given up is closed without waiting for the answer to QUIT.
		properties.setProperty(prefix + "quitwait", "false");
		// What the server sends is bounded in size and read only while the attempt runs.
		properties.put(prefix + "socketFactory", new BoundedSmtpSockets());
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
		Connection connection = reusable();
		if (connection != null) {
			try {
				sendOn(connection, message);
				return;
			}
			catch (SMTPSendFailedException ex) {
				if (ex.getReturnCode() >= 500 || ex.getCommand() == null || !ex.getCommand().startsWith("MAIL FROM")) {
					throw ex;
				}
				log.debug("The SMTP server refused a mail on a reused connection ({}); sending it on a new one",
						ex.getMessage().trim());
			}
		}
		sendOn(open(), message);
	}

	private void sendOn(Connection connection, MimeMessage message) throws MessagingException {
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

	/** The most recently used idle connection that answers NOOP, null when none does. */
	private Connection reusable() {
		Connection waiting = nextIdle();
		if (waiting == null) {
			return null;
		}
		// isConnected() sends NOOP: false, and closed, when the server went away.
		if (waiting.idleFor().compareTo(MAX_IDLE_TIME) <= 0 && waiting.transport.isConnected()) {
			return waiting;
		}
		// The others waited longer: they are given up unchecked rather than each costing
		// a NOOP that may wait for the read timeout.
		close(waiting.transport);
		closeAll(drainIdle());
		return null;
	}

	private Connection open() throws MessagingException {
		Transport transport = getTransport(getSession());
		PasswordAuthentication credentials = getPasswordAuthentication();
		transport.connect(getHost(), getPort(), credentials.getUserName(), credentials.getPassword());
		this.opened.incrementAndGet();
		return new Connection(transport);
	}

	private synchronized Connection nextIdle() {
		return this.idle.pollFirst();
	}

	private synchronized List<Connection> drainIdle() {
		List<Connection> drained = new ArrayList<>(this.idle);
		this.idle.clear();
		return drained;
	}

	private void giveBack(Connection connection) {
		connection.sent++;
		connection.idleSince = System.nanoTime();
		List<Connection> closing = new ArrayList<>();
		synchronized (this) {
			if (this.closed || connection.sent >= MAX_MESSAGES) {
				closing.add(connection);
			}
			else {
				this.idle.addFirst(connection);
			}
			// The least recently used go first: over the limit, or idle too long.
			while (!this.idle.isEmpty() && (this.idle.size() > this.maxIdle
					|| this.idle.peekLast().idleFor().compareTo(MAX_IDLE_TIME) > 0)) {
				closing.add(this.idle.pollLast());
			}
		}
		closeAll(closing);
	}

	/** Closes the idle connections; connections in use close when their send ends. */
	@Override
	public void close() {
		synchronized (this) {
			this.closed = true;
		}
		closeAll(drainIdle());
	}

	/** Connections opened so far. */
	long opened() {
		return this.opened.get();
	}

	private static void closeAll(List<Connection> connections) {
		connections.forEach(connection -> close(connection.transport));
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
