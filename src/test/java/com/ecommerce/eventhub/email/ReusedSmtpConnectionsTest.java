package com.ecommerce.eventhub.email;

import java.time.Duration;
import java.util.UUID;

import com.ecommerce.eventhub.config.MailProperties;
import com.ecommerce.eventhub.support.OneMailPerConnectionSmtpServer;
import com.ecommerce.eventhub.support.RejectingSmtpServer;
import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The e-mail route's sender against a real SMTP server (GreenMail): mails share an open
 * connection, and a connection the server closed, a failed send or a full connection
 * never costs a mail.
 */
class ReusedSmtpConnectionsTest {

	final int port = AmbiguousSend.freePort();

	GreenMail smtp;

	ReusedSmtpConnections sender;

	@BeforeEach
	void start() {
		this.smtp = startSmtp();
		this.sender = new ReusedSmtpConnections(mailSettings(), 2);
	}

	@AfterEach
	void stop() {
		this.sender.close();
		if (this.smtp.isRunning()) {
			this.smtp.stop();
		}
	}

	@Test
	void mailsInARowShareOneConnectionAndEachKeepsItsMessageId() throws Exception {
		for (int i = 0; i < 5; i++) {
			this.sender.send(mail("buyer" + i + "@example.com", "<request-" + i + "@example.com>"));
		}

		assertThat(this.sender.opened()).isEqualTo(1);
		MimeMessage[] received = this.smtp.getReceivedMessages();
		assertThat(received).hasSize(5);
		for (int i = 0; i < 5; i++) {
			assertThat(received[i].getMessageID()).isEqualTo("<request-" + i + "@example.com>");
			assertThat(received[i].getAllRecipients()[0].toString()).isEqualTo("buyer" + i + "@example.com");
		}
	}

	@Test
	void aConnectionTheServerClosedIsReplacedBeforeTheNextMailWithoutAFailure() throws Exception {
		this.sender.send(mail("first@example.com", null));
		this.smtp.stop();
		this.smtp = startSmtp();

		this.sender.send(mail("second@example.com", null));

		assertThat(this.sender.opened()).isEqualTo(2);
		assertThat(this.smtp.getReceivedMessages()).hasSize(1);
		assertThat(this.smtp.getReceivedMessages()[0].getAllRecipients()[0].toString()).isEqualTo("second@example.com");
	}

	@Test
	void aFailedSendClosesItsConnectionAndTheNextMailOpensAFreshOne() throws Exception {
		this.smtp.stop();
		try (RejectingSmtpServer rejecting = RejectingSmtpServer.start(this.port)) {
			assertThatThrownBy(() -> this.sender.send(mail("nobody@example.com", null)))
				.isInstanceOf(MessagingException.class);
			assertThatThrownBy(() -> this.sender.send(mail("nobody@example.com", null)))
				.isInstanceOf(MessagingException.class);

			assertThat(this.sender.opened()).isEqualTo(2);
			assertThat(rejecting.rejected()).isEqualTo(2);
		}
	}

	@Test
	void aMailTheServerRefusesAtMailFromOnAReusedConnectionIsSentOnAFreshOne() throws Exception {
		this.smtp.stop();
		try (OneMailPerConnectionSmtpServer server = OneMailPerConnectionSmtpServer.start(this.port)) {
			this.sender.send(mail("first@example.com", null));
			this.sender.send(mail("second@example.com", null));
			this.sender.send(mail("third@example.com", null));

			assertThat(server.delivered()).isEqualTo(3);
			assertThat(server.refused()).as("MAIL FROM on a used connection").isEqualTo(2);
			assertThat(this.sender.opened()).isEqualTo(3);
		}
	}

	@Test
	void implicitTlsWithAuthenticationSendsOnOneConnectionAndWrongCredentialsAreRefused() throws Exception {
		int tlsPort = AmbiguousSend.freePort();
		GreenMail smtps = new GreenMail(new ServerSetup(tlsPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTPS))
			.withConfiguration(GreenMailConfiguration.aConfig().withUser("shop", "secret"));
		smtps.start();
		// GreenMail's certificate is its own and names no host: trusted through JVM mail
		// properties, which the sender takes over.
		String trust = System.setProperty("mail.smtps.ssl.trust", "127.0.0.1");
		String identity = System.setProperty("mail.smtps.ssl.checkserveridentity", "false");
		ReusedSmtpConnections tls = new ReusedSmtpConnections(tlsSettings(tlsPort, "secret"), 2);
		ReusedSmtpConnections wrongPassword = new ReusedSmtpConnections(tlsSettings(tlsPort, "guessed"), 2);
		try {
			tls.send(mail("first@example.com", null));
			tls.send(mail("second@example.com", null));

			assertThat(smtps.getReceivedMessages()).hasSize(2);
			assertThat(tls.opened()).isEqualTo(1);
			assertThatThrownBy(() -> wrongPassword.send(mail("third@example.com", null)))
				.isInstanceOf(AuthenticationFailedException.class);
			assertThat(smtps.getReceivedMessages()).hasSize(2);
		}
		finally {
			tls.close();
			wrongPassword.close();
			restore("mail.smtps.ssl.trust", trust);
			restore("mail.smtps.ssl.checkserveridentity", identity);
			smtps.stop();
		}
	}

	@Test
	void aConnectionThatSentItsShareIsClosedAndTheNextMailOpensAnother() throws Exception {
		for (int i = 0; i <= ReusedSmtpConnections.MAX_MESSAGES; i++) {
			this.sender.send(mail("buyer@example.com", null));
		}

		assertThat(this.sender.opened()).isEqualTo(2);
		assertThat(this.smtp.getReceivedMessages()).hasSize(ReusedSmtpConnections.MAX_MESSAGES + 1);
	}

	@Test
	void afterCloseAMailStillGoesOutOnAConnectionOfItsOwn() throws Exception {
		this.sender.send(mail("before@example.com", null));
		this.sender.close();

		this.sender.send(mail("after@example.com", null));
		this.sender.send(mail("later@example.com", null));

		assertThat(this.sender.opened()).isEqualTo(3);
		assertThat(this.smtp.getReceivedMessages()).hasSize(3);
	}

	private MimeMessage mail(String to, String messageId) throws MessagingException {
		MimeMessage mail = new MimeMessage(this.sender.getSession());
		mail.setFrom(new InternetAddress("shop@example.com"));
		mail.setRecipient(Message.RecipientType.TO, new InternetAddress(to));
		mail.setSubject("Order " + UUID.randomUUID());
		mail.setText("Thank you for your order.");
		if (messageId != null) {
			mail.setHeader("Message-ID", messageId);
		}
		return mail;
	}

	private MailProperties mailSettings() {
		return new MailProperties("127.0.0.1", this.port, "", "", "shop@example.com", false, false,
				Duration.ofSeconds(5), "hub.email", new MailProperties.Retry(3, Duration.ofMinutes(5), 2));
	}

	private static void restore(String property, String value) {
		if (value == null) {
			System.clearProperty(property);
		}
		else {
			System.setProperty(property, value);
		}
	}

	private static MailProperties tlsSettings(int port, String password) {
		return new MailProperties("127.0.0.1", port, "shop", password, "shop@example.com", false, true,
				Duration.ofSeconds(5), "hub.email", new MailProperties.Retry(3, Duration.ofMinutes(5), 2));
	}

	private GreenMail startSmtp() {
		// Restarting on a port just freed can take longer than GreenMail's 2 s default.
		ServerSetup setup = new ServerSetup(this.port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP);
		setup.setServerStartupTimeout(15_000);
		GreenMail server = new GreenMail(setup);
		server.start();
		return server;
	}

}
