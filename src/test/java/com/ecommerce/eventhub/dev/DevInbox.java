package com.ecommerce.eventhub.dev;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.icegreen.greenmail.store.FolderException;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Address;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded SMTP server (GreenMail) and what it received: one log line per mail with
 * its subject and recipients, and the newest {@value #KEPT} mails for
 * {@code GET /dev/mails}.
 */
final class DevInbox implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(DevInbox.class);

	static final int KEPT = 200;

	private static final int MAX_TEXT = 64 * 1024;

	private final GreenMail smtp;

	private final ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(runnable -> {
		Thread thread = new Thread(runnable, "dev-inbox");
		thread.setDaemon(true);
		return thread;
	});

	private final Deque<Mail> mails = new ArrayDeque<>();

	private int seen;

	private DevInbox(GreenMail smtp) {
		this.smtp = smtp;
	}

	static DevInbox start(int port) {
		GreenMail smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
		smtp.start();
		DevInbox inbox = new DevInbox(smtp);
		inbox.watcher.scheduleWithFixedDelay(inbox::collect, 200, 200, TimeUnit.MILLISECONDS);
		return inbox;
	}

	int port() {
		return this.smtp.getSmtp().getPort();
	}

	/**
	 * @return the received mails, newest first
	 */
	synchronized List<Mail> mails() {
		return List.copyOf(this.mails);
	}

	private synchronized void collect() {
		MimeMessage[] received = this.smtp.getReceivedMessages();
		for (int i = this.seen; i < received.length; i++) {
			try {
				Mail mail = Mail.of(received[i]);
				log.info("Dev mail received: \"{}\" to {}", mail.subject(), String.join(", ", mail.to()));
				this.mails.addFirst(mail);
				if (this.mails.size() > KEPT) {
					this.mails.removeLast();
				}
			}
			catch (MessagingException | IOException | RuntimeException ex) {
				log.warn("Dev mail received, but it could not be read: {}", ex.toString());
			}
		}
		this.seen = received.length;
		if (received.length > KEPT) {
			// GreenMail keeps every mail; what is listed is kept here.
			try {
				this.smtp.purgeEmailFromAllMailboxes();
				this.seen = 0;
			}
			catch (FolderException ex) {
				log.warn("Could not purge the dev mailboxes: {}", ex.toString());
			}
		}
	}

	@Override
	public void close() {
		this.watcher.shutdownNow();
		this.smtp.stop();
	}

	/**
	 * One received mail.
	 *
	 * @param receivedAt when it arrived
	 * @param from the sender
	 * @param to the recipients
	 * @param subject the subject
	 * @param messageId its Message-ID
	 * @param text the plain-text part (or the only part), at most 64 KB
	 */
	record Mail(Instant receivedAt, String from, List<String> to, String subject, String messageId, String text) {

		static Mail of(MimeMessage message) throws MessagingException, IOException {
			Address[] from = message.getFrom();
			Address[] to = message.getAllRecipients();
			String text = text(message);
			return new Mail(Instant.now(), (from != null && from.length > 0) ? from[0].toString() : null,
					(to != null) ? Arrays.stream(to).map(Address::toString).toList() : List.of(), message.getSubject(),
					message.getMessageID(),
					(text != null && text.length() > MAX_TEXT) ? text.substring(0, MAX_TEXT) : text);
		}

		private static String text(Part part) throws MessagingException, IOException {
			if (part.isMimeType("text/plain")) {
				return (String) part.getContent();
			}
			if (part.getContent() instanceof Multipart multipart) {
				String fallback = null;
				for (int i = 0; i < multipart.getCount(); i++) {
					BodyPart child = multipart.getBodyPart(i);
					String text = text(child);
					if (child.isMimeType("text/plain") && text != null) {
						return text;
					}
					fallback = (fallback != null) ? fallback : text;
				}
				return fallback;
			}
			return (part.getContent() instanceof String string) ? string : null;
		}

	}

}
